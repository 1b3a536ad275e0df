# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Abrir no Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/fcn-course/fcn-course/blob/main/notebooks/05_comparacao.ipynb)

# %%
# Google Colab: instala o curso e (se você quiser) guarda os dados no seu Drive.
# Fora do Colab esta célula só escolhe a língua das mensagens do curso.
USAR_DRIVE = False  # True: dados do curso em MyDrive/fcn_course_data no seu Google Drive
import importlib.util, os.path, subprocess, sys
os.environ['FCN_COURSE_LANG'] = 'pt_BR'  # a língua das mensagens deste notebook
if "google.colab" in sys.modules:
    if importlib.util.find_spec("fcn_course") is None:
        install = subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                                  "git+https://github.com/fcn-course/fcn-course"])
        if install.returncode != 0:
            raise RuntimeError(
                "Não consegui instalar o curso de https://github.com/fcn-course/fcn-course (a "
                "mensagem do pip, acima, diz por quê). Confira a conexão com a internet e se esse "
                "endereço abre no navegador: o Colab não instala de um repositório privado. Depois "
                "rode esta célula de novo."
            )
    from fcn_course.colab import setup_colab
    setup_colab(use_drive=USAR_DRIVE)

# %% [markdown]
# <!-- generated from solutions/notebooks/05_comparacao.py; edit that file, then run python -m fcn_course.instructor build -->
# # 05 · Comparando as variantes (Exercício 7)
#
# Para consultar a qualquer momento: a [referência rápida](referencia.md) reúne formas, fórmulas e um glossário
# português ↔ inglês. No Colab, o link acima não abre (lá o notebook fica sozinho, sem os outros arquivos do
# curso): use a [mesma página no GitHub](https://github.com/fcn-course/fcn-course/blob/main/notebooks/referencia.md),
# que é o arquivo `notebooks/referencia.md` do repositório.
#
# Você já tem duas FCNs, cada uma com e sem *skip connections*, e cada uma pode começar com pesos do
# ImageNet ou do zero. Qual dessas escolhas faz mais diferença? Neste notebook, vamos responder com um
# **experimento controlado**: treinar todas as combinações e comparar, mudando uma escolha de cada vez.
# No perfil `full`, as oito variantes treinam com os mesmos dados, épocas e taxa de aprendizado; no
# `demo`, a VGG16 treina com ajustes menores, como você verá abaixo.
#
# | Notebook | Conteúdo |
# |---|---|
# | 01 · Dados e métricas | hiperparâmetros, inicialização de pesos, métricas (IoU, mIoU, Dice), o Pascal VOC 2012 e os `DataLoader`s; exercício 0 |
# | 02 · FCN com AlexNet | teoria das FCNs, inicialização de Kaiming, *upsampling* bilinear, *skip connections*; exercícios 1 e 2 (FCN-AlexNet) e 3 (otimizador e perda), treino e predições |
# | 03 · *Upsampling* aprendido e perdas | convolução transposta e padrão de xadrez; exercícios 4 (*upsampling* aprendido) e 5 (pesos de classe e perda de Dice) |
# | 04 · FCN com VGG16 | exercício 6: a mesma adaptação para uma rede mais profunda, e a cabeça do artigo que soma escores |
# | **05 · Comparação** (este) | exercício 7: com e sem *skip connections*, pré-treinada ou do zero, e as opções novas; o que veio depois das FCNs |
#
# **Ao final deste notebook você consegue**
#
# 1. treinar a grade *backbone* × *skip* × pré-treino (8 configurações) com as suas classes e gerar o
#    relatório (**Exercício 7**);
# 2. dizer, a partir da tabela e das figuras, qual das três escolhas mais mudou a mIoU e onde (bordas,
#    objetos pequenos, classe) cada configuração erra;
# 3. apontar o que a grade não separa (o pré-treino vem junto com uma taxa de aprendizado menor no
#    *backbone*);
# 4. listar pelo menos três razões pelas quais a sua mIoU não se compara aos números do artigo;
# 5. segmentar uma foto sua com o melhor modelo, no notebook e pela linha de comando;
# 6. situar as FCNs entre as redes que vieram depois (U-Net, SegNet, DeepLab) e distinguir segmentação
#    semântica, de instâncias e panóptica.
#
# **Quanto tempo leva.**
#
# * **Tempo de estudo: ~90 min**: ler com calma (cerca de 30 min), olhar a tabela e as figuras e
#   escrever as previsões e as respostas (nove respostas escritas). Cabe numa aula de 100 minutos se a
#   grade já tiver rodado: rode-a antes da aula, se puder. As duas seções marcadas **Para casa
#   (opcional)**, no fim, somam uns 10 min e não têm pergunta avaliada.
# * **Tempo de máquina**: a grade reaproveita os treinos dos notebooks 02 e 04 quando as configurações
#   são as mesmas, então só treina o que falta. No perfil `demo`, numa CPU de 2 núcleos: a AlexNet e a
#   VGG16 sem *skip* (cerca de 1 minuto cada), mais a comparação de opções (cinco treinos curtos da
#   AlexNet); as pré-treinadas aparecem como puladas se os pesos não estiverem no disco (o `demo` nunca
#   baixa pesos). No perfil `full` são 8 treinos de 50 épocas sobre o VOC: veja a tabela *Time budget* do
#   `README.md`.

# %% [markdown]
# ## Preparação
#
# As importações e os hiperparâmetros, como nos notebooks anteriores.

# %%
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from IPython.display import Image, Markdown, display

from fcn_course import checks, experiments, plots, quiz, runs
from fcn_course.config import course_args, seed_everything
from fcn_course.data import VOCSubset, prepare_data
from fcn_course.definitions import load_definitions
from fcn_course.metrics import ConfusionMatrix
from fcn_course.predict import load_model_from_checkpoint, predict_image, save_prediction
from fcn_course.widgets import prediction_explorer

# %%
# %matplotlib inline

args = course_args()
seed_everything(args["seed"])

print("device:", args["device"])
prepare_data(args)  # says which profile runs, and writes the synthetic dataset when it needs one

# %% [markdown]
# ### O seu código dos notebooks 02, 03 e 04
#
# A comparação usa as **suas** implementações: as duas FCNs, o otimizador, o critério e a perda, e
# também o *upsampling* aprendido e os pesos de classe. Como no notebook 04, elas são carregadas dos
# notebooks onde você as escreveu, com `load_definitions` (que executa só as células de definição
# daqueles notebooks). Se você corrigir algo lá, salve o notebook e rode esta célula de novo: o código
# continua num lugar só.

# %%
from_02 = load_definitions("02_fcn_alexnet.ipynb",
                           names=["FCN_AlexNet", "make_optimizer", "compute_loss", "make_criterion"])
from_04 = load_definitions("04_fcn_vgg16.ipynb", names=["FCN_VGG16"])

FCN_AlexNet = from_02["FCN_AlexNet"]
make_optimizer = from_02["make_optimizer"]
compute_loss = from_02["compute_loss"]
make_criterion = from_02["make_criterion"]
FCN_VGG16 = from_04["FCN_VGG16"]
# For the comparison of the new options (exercises 4 and 5 of notebook 03, and the pixel counts of notebook 01):
from_03 = load_definitions("03_upsampling_e_perdas.ipynb", names=["with_learned_upsampling", "class_weights"])
with_learned_upsampling = from_03["with_learned_upsampling"]
class_weights = from_03["class_weights"]
count_class_pixels = load_definitions("01_dados_e_metricas.ipynb", names=["count_class_pixels"])["count_class_pixels"]

model_classes = {"alexnet": FCN_AlexNet, "vgg16": FCN_VGG16}
print("models:", {name: cls.__name__ for name, cls in model_classes.items()})
# Your four pieces travel together: the grid builds each run's network, optimiser and loss from them.
ingredients = experiments.TrainingIngredients(model_classes, make_optimizer, compute_loss, make_criterion)

# %% [markdown]
# ## Exercício 7: a grade de experimentos
#
# O curso original pedia: *compare o desempenho de FCNs com e sem skip connections e com o backbone
# pré-treinado ou não*. O exercício é rodar a grade abaixo e responder às perguntas 1 a 5 da seção
# "Perguntas para reflexão"; ele não tem célula de verificação automática. Com os dois *backbones*, são
# $2 \times 2 \times 2 = 8$ configurações:
#
# | | sem *skip*, do zero | com *skip*, do zero | sem *skip*, pré-treinada | com *skip*, pré-treinada |
# |---|---|---|---|---|
# | **AlexNet** | `alexnet-noskip-scratch` | `alexnet-skip-scratch` | `alexnet-noskip-pretrained` | `alexnet-skip-pretrained` |
# | **VGG16** | `vgg16-noskip-scratch` | `vgg16-skip-scratch` | `vgg16-noskip-pretrained` | `vgg16-skip-pretrained` |
#
# Para que a comparação seja justa, **só o que está sendo comparado pode mudar** de uma configuração
# para outra. Se a VGG16 treinasse por mais épocas que a AlexNet, não saberíamos se a diferença veio do
# *backbone* ou do tempo de treino.
#
# * **No perfil `full`**, os dados, o tamanho das imagens, o número de épocas, a taxa de aprendizado, o
#   tamanho do lote e a semente são os mesmos nas oito configurações.
# * **No perfil `demo`**, não: para caber em minutos de CPU, a VGG16 treina com 48 imagens, recortes de
#   96×96, 10 épocas e `lr=3e-4`, contra todas as imagens, 160×160, 12 épocas e `lr=1e-3` da AlexNet. Ali,
#   compare *skip* contra sem *skip* **dentro** de cada *backbone*; AlexNet contra VGG16 não é uma
#   comparação justa.
#
# Há uma exceção, e foi você quem a programou no exercício 3: nas configurações pré-treinadas, o seu
# `make_optimizer` treina o *backbone* com `lr × 0.1`; nas configurações do zero, com `lr`. Portanto,
# "pré-treinada contra do zero" muda **dois** fatores ao mesmo tempo: os pesos iniciais do *backbone* e a
# taxa de aprendizado dele. Para separá-los seria preciso um controle, por exemplo uma rede do zero com
# o *backbone* também a `lr × 0.1`. A grade não roda esse controle: ao ler a tabela, atribua a
# diferença às duas mudanças juntas.
#
# Quem faz isso é `experiments.run_grid`: para cada configuração, ele cria a rede com a sua classe,
# monta o otimizador com o seu `make_optimizer` (que recebe `pretrained` e `skip` da configuração) e
# treina com `engine.fit`. Cada configuração ganha uma pasta própria com `history.json`, `last.pt` e
# `best.pt`. Se o treino for interrompido, rode a célula de novo: configurações terminadas são
# reaproveitadas e a interrompida continua de onde parou.
#
# **Quanto custa.** No perfil `full`, são 8 treinos de 50 épocas com imagens de 224×224: numa GPU, de
# dezenas de minutos a algumas horas, conforme a GPU; numa CPU, muitas horas (estimativas, não
# medições). A maior parte do tempo vai para as configurações com VGG16, em que cada iteração custa
# cerca de 21 vezes o que custa com a AlexNet numa CPU (notebook 04). Se o tempo for curto, reduza
# `args["epoch_num"]` (por exemplo para 20), mas **para todas** as configurações. No perfil `smoke`, a
# grade é minúscula (imagens de 64×64, 12 imagens por conjunto, 2 épocas) e roda em segundos. No perfil
# `demo`, o relatório da grade diz quais configurações a VGG16 usou.

# %% [markdown]
# ### Antes de rodar: as suas previsões
#
# Cientistas escrevem a hipótese antes do experimento; depois, comparar é o que ensina. Responda **antes**
# de rodar a grade, e não leia ainda a seção "Lendo os resultados", que vem depois das perguntas. Vale
# usar como argumento o que você já viu: a tabela do artigo no notebook 02 e o seu treino do notebook 02.
#
# **Previsão 1.** Ordene as três escolhas (*backbone*, *skip*, pré-treino) da que mais vai mudar a mIoU
# para a que menos vai mudar, e diga por quê. Pense no VOC real, mesmo que você rode o `demo`.
#
# **Previsão 2.** Em que região das imagens você espera que as versões com *skip* acertem mais? A
# diferença na mIoU vai ser grande ou pequena no seu perfil?

# %% [markdown]
# _Escreva sua resposta aqui._

# %%
GRID_DIR = args["runs_dir"] / ("grid-smoke" if args["smoke"] else "grid")
if args["smoke"] and GRID_DIR.exists():
    shutil.rmtree(GRID_DIR)  # smoke runs are cheap: always start from a clean folder
print("grid folder:", GRID_DIR)
print(f"settings: {args['epoch_num']} epochs, {args['h_size']}x{args['w_size']} px, batch {args['batch_size']}, "
      f"lr {args['lr']}, max_samples {args['max_samples']}")

# %%
grid = experiments.run_grid(ingredients, args, GRID_DIR,
                            backbones=("alexnet", "vgg16"), skips=(False, True), pretrained=(False, True),
                            reuse_from=args["runs_dir"])  # the runs of notebooks 02 and 04 are not trained twice

# %% [markdown]
# ### Configurações puladas: pesos pré-treinados que não puderam ser carregados
#
# Uma configuração "pré-treinada" precisa dos pesos do ImageNet (`alexnet-owt-7be5be79.pth` e
# `vgg16-397923af.pth`). Se eles não puderem ser carregados (sem internet e sem cópia local), a
# configuração aparece como **pulada**, com o motivo (a saída da célula diz `skipped`). Ela **nunca** é treinada com pesos aleatórios
# no lugar dos pré-treinados. Nos perfis `demo` e `smoke` o curso nunca baixa pesos: as configurações pré-treinadas
# só rodam se os arquivos já estiverem no cache do PyTorch ou em `FCN_COURSE_WEIGHTS`; caso contrário,
# aparecem como puladas, com o motivo.
#
# Por que não "seguir em frente" com pesos aleatórios? Porque a linha da tabela diria
# `pretrained` e mediria outra coisa: um treino do zero (e, ainda por cima, com o *backbone* aprendendo
# 10× mais devagar, porque o seu otimizador acha que ele já vem treinado). A conclusão do experimento
# ("pré-treinar não ajuda") seria falsa, e nada no relatório denunciaria o erro. Um resultado que
# falta é honesto; um resultado com o rótulo errado engana.
#
# Para incluir essas configurações, coloque os arquivos no cache do PyTorch
# (`~/.cache/torch/hub/checkpoints/`) ou numa pasta apontada pela variável de ambiente
# `FCN_COURSE_WEIGHTS`, e rode a grade de novo: as configurações já terminadas são reaproveitadas.

# %%
for run in grid.runs:
    if run.status == "skipped":
        print(f"{run.name}: skipped")
        print("   " + "\n   ".join(run.reason.splitlines()[:4]))
    else:
        print(f"{run.name}: {run.status}")

# %% [markdown]
# ## O relatório
#
# `write_report` grava na pasta da grade uma tabela (`report.md` e `report.csv`) e três figuras:
# `curves.png` (curvas de aprendizado), `per_class.png` (IoU por classe) e `qualitative.png`
# (predições de cada configuração nas mesmas imagens de validação).

# %%
paths = grid.write_report(GRID_DIR)
for name, path in paths.items():
    print(f"{name:>16}: {path}")

# %% [markdown]
# ### A tabela
#
# Em cada linha: a melhor mIoU de validação sem o fundo (`best mIoU(fg)`) e a época em que ela
# ocorreu (são os pesos guardados em `best.pt`), a mIoU da última época (`final mIoU(fg)`), a IoU de
# cada classe, o Dice médio sem o fundo, a acurácia de pixels, o número de parâmetros e o tempo de treino por época. As IoUs
# por classe e o Dice são os da melhor época. A tabela mostra as duas mIoUs, a da melhor época e a da
# última, porque a melhor é otimista (veja "Avaliação honesta", mais abaixo).

# %%
display(Markdown(grid.markdown_table()))

# %% [markdown]
# ### Curvas de aprendizado
#
# À esquerda, a mIoU de validação; à direita, a perda de treino. Mesma cor = mesmo *backbone* e mesma
# inicialização; linha cheia = com *skip*, tracejada = sem *skip*.

# %%
display(Image(filename=str(paths["curves.png"])))

# %% [markdown]
# ### IoU por classe
#
# A mIoU é uma média e esconde diferenças entre as classes. No gráfico abaixo, cada grupo de barras é
# uma classe, e cada barra uma configuração (barras hachuradas = sem *skip*).

# %%
display(Image(filename=str(paths["per_class.png"])))

# %% [markdown]
# ### Predições lado a lado
#
# As mesmas imagens de validação, com o rótulo verdadeiro e a predição de cada configuração (pesos de
# `best.pt`). Aqui se vê o que os números não mostram: bordas borradas ou bem definidas, objetos
# pequenos encontrados ou perdidos.

# %%
if "qualitative.png" in paths:
    display(Image(filename=str(paths["qualitative.png"])))
else:
    print("qualitative.png was not written: see report.md for the reason")

# %% [markdown]
# ## Perguntas para reflexão
#
# Responda nas células abaixo, com base nos **seus** resultados: a tabela, as curvas e as figuras acima.
# Faça isso **antes** de ler a seção seguinte, "Lendo os resultados". Primeiro compare o que você vê com
# as suas previsões 1 e 2; a seção seguinte traz, depois, o que se espera no VOC real. Os critérios de
# correção estão no `README.md` da pasta `notebooks/`.
#
# O que cada perfil deixa responder:
#
# * **`full`**: todas as perguntas, com as oito configurações;
# * **`demo`**: o pré-treino fica de fora (nada é baixado), e AlexNet contra VGG16 não é uma comparação
#   justa. Responda com o que a sua grade compara e diga o que ela não compara;
# * **`smoke`**: os números são ruído. Responda pelo raciocínio e diga por que não dá para concluir nada.

# %% [markdown]
# **1.** Das escolhas que a sua grade compara (*backbone*, *skip*, pré-treino), qual mudou mais a mIoU?
# Por que você acha que foi essa? Alguma diferença da tabela não pode ser atribuída a uma única escolha?

# %% [markdown]
# _Escreva sua resposta aqui._

# %% [markdown]
# **2.** Abra a figura das predições lado a lado. Em que partes das imagens as versões com *skip* acertam
# mais que as versões sem *skip*? Na sua grade, a diferença de mIoU entre elas é grande ou pequena perto
# da diferença que você vê nas figuras? Explique esse tamanho a partir do que há nas imagens do seu
# conjunto.

# %% [markdown]
# _Escreva sua resposta aqui._

# %% [markdown]
# **3.** Compare a IoU do ônibus com a da pessoa. Qual é maior nas suas melhores configurações? Que
# características das duas classes explicam o resultado?

# %% [markdown]
# _Escreva sua resposta aqui._

# %% [markdown]
# **4.** A sua melhor mIoU é comparável aos 62,7 da FCN-8s no artigo? Cite pelo menos três diferenças
# entre as duas medições.

# %% [markdown]
# _Escreva sua resposta aqui._

# %% [markdown]
# **5.** A VGG16 é bem mais lenta que a AlexNet (veja a coluna de segundos por época). Em que situação
# você escolheria a FCN-AlexNet mesmo assim?

# %% [markdown]
# _Escreva sua resposta aqui._

# %% [markdown]
# ## Lendo os resultados (leia depois de responder)
#
# Agora compare as suas previsões 1 e 2 e as suas respostas com o que cada perfil mostra.
#
# ### O que cada perfil permite concluir
#
# * **`demo`** (o padrão sem VOC): redes treinadas do zero por alguns minutos no VOC sintético. A lição
#   das *skip connections* aparece com folga. Medido numa CPU de 2 núcleos (semente 0, melhor época de
#   validação): a AlexNet com *skip* chega a 0,724 de mIoU(fg) e sem *skip* a 0,424, e a IoU de pessoa cai
#   de 0,57 para 0,18. As pessoas sintéticas têm braços e pernas mais finos que uma célula da grade de
#   *stride* 32; na figura qualitativa, sem *skip*, elas viram borrões. A VGG16 treina com menos imagens e
#   recortes menores, então a ordem entre AlexNet e VGG16 no `demo` não ensina nada sobre *backbones*. O
#   pré-treino não aparece, porque nada é baixado.
# * **`smoke`**: 2 épocas em uma dúzia de desenhos de 64×64; as diferenças são acaso. Serve para ver que
#   o código roda do começo ao fim; **não tire conclusões dele**.
# * **`full`**: o treino completo no VOC real. O que muda em relação ao `demo`: fotos de verdade (pessoas
#   de todos os tamanhos, ônibus parcialmente escondidos), o pré-treino no ImageNet e 50 épocas. O curso
#   ainda não rodou essas oito configurações no VOC: o que vem a seguir é o que **se espera**, a partir do
#   artigo, e não uma medição. As faixas esperadas de cada configuração ficam com o instrutor.
#
# ### O que se espera no VOC real
#
# * **Pré-treinada ≫ do zero.** Deve ser o efeito mais forte da grade. O subconjunto com ônibus e pessoas
#   tem algumas centenas de imagens de treino, pouco demais para aprender do zero os milhões de pesos de
#   um *backbone*. Os pesos do ImageNet (1,2 milhão de imagens) já sabem detectar bordas, texturas e
#   partes de objetos; a FCN só precisa aprender a combiná-los em rótulos por pixel. Lembre que a grade
#   muda também a taxa de aprendizado do *backbone*: o efeito medido é dos dois fatores juntos. Os autores
#   das FCNs nem treinaram do zero: escreveram que isso "não é viável" pelo **tempo** necessário para
#   aprender as redes de classificação de base (§4.3), um argumento de custo de computação, não de falta
#   de dados.
# * **Com *skip* > sem *skip***, sobretudo nas **bordas** e nos **objetos pequenos**. Sem *skip*, a
#   predição é feita numa grade 32× mais grossa que a imagem (7×7 na VGG16 e 6×6 na AlexNet, para
#   224×224) e depois ampliada: as bordas saem arredondadas, e um objeto menor que uma célula dessa grade
#   pode sumir. As *features* do pool3 ou do pool4 trazem o detalhe espacial de volta. Como as bordas são
#   uma fração pequena dos pixels de fotos reais, o ganho na mIoU deve ser menor do que o ganho visual.
# * **VGG16 > AlexNet**, ao custo de um treino bem mais lento (veja a coluna de segundos por época).
#
# ### Os números do artigo, como referência
#
# Long, Shelhamer e Darrell (2015, [arXiv:1411.4038](https://arxiv.org/abs/1411.4038)) mediram a *mean IU* (*mean intersection over union*, o nome que eles
# dão à mIoU) nas 21 classes do VOC:
#
# | Tabela 1 (validação do VOC 2011) | *mean IU* |
# |---|---|
# | FCN-AlexNet | 39,8 |
# | FCN-VGG16 | 56,0 |
#
# | Tabela 2 (FCN-VGG16, subconjunto de validação "seg11valid") | *mean IU* |
# |---|---|
# | FCN-32s-fixed (só a última camada treinada; o resto congelado) | 45,4 |
# | FCN-32s (sem *skip*) | 59,4 |
# | FCN-16s (*skip* do pool4) | 62,4 |
# | FCN-8s (*skips* do pool4 e do pool3) | 62,7 |
#
# Repare em três coisas. Ajustar a rede inteira (59,4) é muito melhor que treinar só a última camada
# (45,4). O artigo ajusta todas as camadas com a mesma taxa (§4.3); o seu otimizador também treina o
# *backbone*, mas com uma taxa 10× menor, uma escolha comum herdada do curso original. A primeira *skip
# connection* vale 3 pontos e a segunda só 0,3: o ganho diminui a cada *skip* acrescentada. E a troca de
# *backbone* (Tabela 1) pesa mais que as *skip connections*.
#
# E um cuidado: a FCN-VGG16 da Tabela 1 (56,0) e a FCN-32s da Tabela 2 (59,4) são **a mesma rede** (a
# legenda da Tabela 2 diz que a FCN-32s é a FCN-VGG16 "renomeada"). Os 3,4 pontos entre elas vêm de
# treinar também com as imagens extras do SBD (Hariharan et al.) e de avaliar em outro subconjunto de
# validação (seg11valid, 736 imagens), não de uma mudança de arquitetura. É um bom exemplo do assunto da
# próxima seção.
#
# ### Por que os números de artigos diferentes não batem
#
# É comum não conseguir reproduzir a mIoU de um artigo, e nem sempre por erro de alguém. A mIoU muda
# com:
#
# * **o conjunto de avaliação**: validação do VOC 2011, "seg11valid", validação do VOC 2012 ou o
#   servidor de teste dão números diferentes para o mesmo modelo;
# * **as classes e a média**: 21 classes com o fundo, ou só os objetos (`miou` contra `miou_fg`);
#   o nosso subconjunto tem só 3 classes;
# * **a forma de calcular**: uma matriz de confusão para o conjunto inteiro ou a média das IoUs por
#   imagem (outro número, que pode sair maior ou menor, como vimos no notebook 01); *void* ignorado ou
#   contado como fundo;
# * **os dados de treino**: muitos trabalhos (inclusive o das FCNs) treinam também com as imagens
#   extras anotadas por Hariharan et al. (o conjunto SBD: 11.355 imagens, das quais 8.498 de treino e
#   2.857 de validação);
# * **a resolução**: imagens inteiras ou recortes de 224×224 (como aqui).
#
# Por isso a nossa mIoU (duas classes de objeto, imagens de validação filtradas, recortes de 224×224)
# **não é comparável** aos 62,7 da FCN-8s. Comparações valem dentro da mesma grade, com as mesmas regras.
#
# ### Ônibus ou pessoa?
#
# Volte à sua resposta à pergunta 3. O ônibus costuma ser um objeto grande, rígido, de contorno
# simples; a pessoa é menor, articulada, tem braços e pernas finos, aparece em grupos e muitas vezes
# parcialmente escondida. Por outro lado, há muito mais pessoas que ônibus no VOC, então a rede vê muito mais
# exemplos de pessoas. Qual efeito venceu na sua grade?

# %% [markdown]
# ### Avaliação honesta: quem escolheu o `best.pt`?
#
# O `best.pt` de cada configuração é a época com a **maior mIoU de validação**, e a coluna
# `best mIoU(fg)` da tabela reporta essa mesma mIoU. Usamos o mesmo conjunto para **escolher** e para **medir**: entre 50 épocas, a melhor é em
# parte a que teve sorte nessas imagens, então o número reportado é **otimista** (o erro de seleção some
# se medirmos de novo em imagens que não participaram da escolha). O mesmo vale para comparar muitas
# configurações e reportar a melhor.
#
# O protocolo honesto: separe uma parte do **treino** (por exemplo 10 a 20% das imagens) como validação
# para escolher a época, os hiperparâmetros e a configuração; treine no resto; e meça a validação do VOC
# **uma única vez**, no fim, com o modelo escolhido. O curso não faz isso, para manter os notebooks
# simples e fiéis ao original.
#
# Por isso o curso mostra sempre as duas medidas. A tabela da grade tem a mIoU da melhor época
# (`best mIoU(fg)`) e a da última (`final mIoU(fg)`), e a célula abaixo mostra a diferença entre elas.
# Leia a melhor como um limite superior otimista, e compare configurações pela **última**, que não foi
# escolhida olhando a validação. Os números medidos que os textos do curso citam (como o 0,724 do
# `demo`) são da melhor época, e o texto diz isso em cada caso.
#
# Outra diferença de protocolo: medimos **recortes centrais** de 224×224, não a imagem inteira (o
# artigo avalia a imagem inteira). O recorte perde as bordas da foto, onde às vezes estão justamente o
# ônibus ou as pessoas, e a FCN, que aceita qualquer tamanho, poderia ser avaliada na imagem inteira (uma
# imagem por lote, porque os tamanhos variam).

# %%
for run in grid.runs:
    if run.has_scores():
        best, last = run.best_val(), run.final_val()
        print(f"{run.name:<26} best {best['miou_fg']:.4f} (epoch {best['epoch']})  last {last['miou_fg']:.4f}  "
              f"optimism {best['miou_fg'] - last['miou_fg']:+.4f}")

# %%
quiz.ask("best-checkpoint")

# %% [markdown]
# ## As opções novas: *upsampling* aprendido, aumento de dados e perda ponderada
#
# Ao lado da grade, uma comparação menor sobre **uma** configuração (FCN-AlexNet com *skip*, do zero),
# mudando **uma coisa de cada vez** em relação à linha de base. Os cinco treinos usam as configurações de
# `args` com **metade das épocas**, para caber no tempo do perfil. Entre eles, as épocas, o lote, a taxa
# de aprendizado e a semente são os mesmos. Compare as opções entre si, e não com o treino do notebook 02,
# que teve o dobro de épocas.
#
# | opção | o que muda | exercício |
# |---|---|---|
# | base | interpolação bilinear fixa, sem aumento, entropia cruzada comum | 2 e 3 |
# | *upsampling* congelado | convolução transposta bilinear, sem treinar | 4 |
# | *upsampling* aprendido | a mesma convolução, treinada | 4 |
# | aumento de dados | `augment=True` (zoom, recorte e espelhamento) | notebook 01 |
# | perda ponderada | `CrossEntropyLoss(weight=class_weights(...))` | 5 |

# %%
quiz.ask("one-change")

# %% [markdown]
# **Previsão 3 (antes de rodar).** Qual das quatro mudanças você espera que ajude mais na validação? Alguma
# pode piorar? Para o *upsampling* aprendido, parta da sua resposta à pergunta A do notebook 03.

# %% [markdown]
# _Escreva sua resposta aqui._

# %%
OPTIONS_DIR = args["runs_dir"] / ("options-smoke" if args["smoke"] else "options")
if args["smoke"] and OPTIONS_DIR.exists():
    shutil.rmtree(OPTIONS_DIR)  # smoke runs are cheap: always start from a clean folder

counting_set = VOCSubset(args["root"], "train", classes=args["classes"], size=(args["h_size"], args["w_size"]),
                         max_samples=args["max_samples"], verbose=False)
weights = class_weights(count_class_pixels(counting_set, args["n_classes"]))
print("class weights:", dict(zip(args["classes"], [round(w, 3) for w in weights.tolist()])))

# Half the epochs of the profile: five runs fit the time budget. Compare the options with each other (same
# epochs, same seed), not with the run of notebook 02.
option_args = {**args, "epoch_num": max(1, args["epoch_num"] // 2)}


def weighted_criterion():
    return torch.nn.CrossEntropyLoss(weight=weights.to(args["device"]), ignore_index=255)


def with_alexnet(alexnet_class):
    """Your ingredients with another AlexNet class (the one change of an option)."""
    return replace(ingredients, model_classes={"alexnet": alexnet_class})


options = {  # label -> (ingredients, settings): one change at a time
    "base (bilinear fixa)": (ingredients, option_args),
    "upsampling congelado": (with_alexnet(with_learned_upsampling(FCN_AlexNet, learnable=False)), option_args),
    "upsampling aprendido": (with_alexnet(with_learned_upsampling(FCN_AlexNet, learnable=True)), option_args),
    "aumento de dados": (ingredients, {**option_args, "augment": True}),
    "perda ponderada": (replace(ingredients, make_criterion=weighted_criterion), option_args),
}
option_runs = {}
folders = ["base", "upsampling-frozen", "upsampling-learned", "augment", "weighted-loss"]
for folder, (label, (option_ingredients, settings)) in zip(folders, options.items()):
    option_runs[label] = experiments.train_configuration(option_ingredients, "alexnet", "8s", False, settings,
                                                         OPTIONS_DIR / folder, progress=False)

# %%
for label, run in option_runs.items():
    best, last = run.best_val(), run.final_val()
    if best:
        print(f"{label:<22} val mIoU(fg): best {best['miou_fg']:.4f} (epoch {best['epoch']}), "
              f"last {last['miou_fg']:.4f} (epoch {last['epoch']})")
    else:
        print(f"{label:<22} {run.status}")
plots.option_comparison(option_runs, args["classes"])

# %% [markdown]
# Compare com a sua previsão 3 e com a sua resposta à pergunta A do notebook 03. A figura e a tabela
# impressa mostram a melhor época e a última; compare as opções pela última. No perfil `smoke`, estes
# números são ruído. No perfil `demo` (conjunto sintético, alguns minutos de CPU), as diferenças já
# aparecem, mas com uma única semente uma diferença de um ou dois pontos ainda pode ser acaso: uma opção
# só "ajuda" de verdade se o ganho se repetir com outras sementes.

# %% [markdown]
# **Previsão 3, depois da medição.** Que parte da sua previsão 3 (ou da pergunta A) a medição contrariou?
# Proponha uma explicação para a diferença e um teste que a confirmaria (outra semente, mais épocas, outro
# perfil...). Se tudo se confirmou, diga qual resultado lhe parece mais frágil, e por quê.

# %% [markdown]
# _Escreva sua resposta aqui._

# %% [markdown]
# ## Explorando as predições
#
# O explorador abaixo carrega o `best.pt` de cada configuração treinada. Escolha a configuração e a
# imagem: ele mostra a imagem, a predição, o rótulo verdadeiro e um mapa de erros (pixels errados em
# vermelho, pixels *void* em cinza). Sem `ipywidgets` (ou fora do Jupyter), aparece uma figura estática
# com as primeiras imagens da primeira configuração.

# %%
val_set = VOCSubset(args["root"], "val", classes=args["classes"], size=(args["h_size"], args["w_size"]),
                    max_samples=args["max_samples"])
prediction_explorer(GRID_DIR, val_set, model_classes=model_classes)

# %% [markdown]
# ## Lendo os erros: a matriz de confusão
#
# A IoU diz **quanto** a rede erra; a matriz de confusão diz **como**. Cada linha é uma classe verdadeira,
# cada coluna uma classe prevista, e cada linha foi dividida pelo total de pixels da classe: a diagonal é
# a fração de pixels de cada classe que a rede acertou (*recall*), e fora da diagonal está para onde foram
# os que ela errou. Abaixo, a melhor configuração treinada, nos recortes de validação.

# %%
best_run = max((run for run in grid.runs if run.has_scores()), key=lambda run: run.best_val()["miou_fg"])
best_model = load_model_from_checkpoint(runs.checkpoint_path(best_run.run_dir, "best"), model_classes,
                                        device=args["device"])
confusion = ConfusionMatrix(args["n_classes"])
with torch.no_grad():
    for image, label in val_set:
        confusion.update(best_model(image[None].to(args["device"])).cpu(), label[None])
plots.confusion_matrix_figure(confusion.matrix, args["classes"], title=f"{best_run.name} (best.pt, validação)")

# %% [markdown]
# **Pergunta de reflexão 6: análise de erros.** Use o explorador acima e a matriz de confusão e
# **encontre três modos de falha** da melhor configuração. Para cada um: descreva o que acontece (com o
# nome de uma imagem de exemplo), diga qual célula da matriz de confusão ele alimenta e proponha uma
# causa (resolução, contexto, classe rara, rótulo *void*, recorte...) e algo que o corrigiria.

# %% [markdown]
# _Escreva sua resposta aqui._

# %% [markdown]
# ## Para casa (opcional): segmente uma imagem sua
#
# Esta parte e a próxima ficam para depois da aula. Nenhuma tem pergunta avaliada.
#
# Uma FCN aceita imagens de qualquer tamanho. `fcn_course.predict` tem as três funções para usar um
# modelo treinado numa foto qualquer:
#
# 1. `load_model_from_checkpoint(caminho_do_best.pt, model_classes=...)` reconstrói a rede a partir
#    do *checkpoint* (com as suas classes);
# 2. `predict_image(model, caminho_da_imagem)` devolve a classe de cada pixel, no tamanho original
#    da foto (e as probabilidades);
# 3. `save_prediction(caminho_da_imagem, rótulo, classes, pasta)` grava a máscara no formato do VOC
#    (`<nome>_mask.png`) e a foto com as classes pintadas por cima (`<nome>_overlay.png`).
#
# **Como usar a sua foto.** Coloque-a na mesma pasta deste notebook com o nome `minha_foto.jpg` (ou
# mude `MY_IMAGE` abaixo). No Colab, envie o arquivo pela barra lateral (ícone de pasta → *Fazer
# upload*) ou numa célula:
#
# ```python
# from google.colab import files
# uploaded = files.upload()          # opens a file chooser
# MY_IMAGE = Path(next(iter(uploaded)))
# ```
#
# Se a foto não for encontrada (como nos perfis `demo` e `smoke`), usamos uma imagem de validação. Fotos de celular
# são grandes: a FCN aceita qualquer tamanho, mas gasta muita memória. Reduza a foto antes, para algo
# como 500 pixels no lado maior (o tamanho das fotos do VOC, a escala que a rede conhece).
#
# Usamos a configuração com a melhor mIoU de validação da grade.

# %%
MY_IMAGE = Path("minha_foto.jpg")
if MY_IMAGE.is_file():
    image_path = MY_IMAGE
else:
    image_path = val_set.images[0]
    print(f"{MY_IMAGE} not found: using the validation image {image_path.name} instead")

finished = [run for run in grid.runs if run.status == "done"]
best_run = max(finished, key=lambda run: run.best_val()["miou_fg"] if run.best_val()["miou_fg"] is not None else -1.0)
checkpoint_path = runs.checkpoint_path(best_run.run_dir, "best")  # the grid's folder, or the reused run of 02/03
print(f"model: {best_run.name} (best val mIoU(fg) {best_run.best_val()['miou_fg']:.3f})")

model = load_model_from_checkpoint(checkpoint_path, model_classes=model_classes, device=args["device"])
label, probabilities = predict_image(model, image_path)
found = [args["classes"][index] for index in np.unique(label)]
print(f"{image_path.name}: {label.shape[1]}x{label.shape[0]} pixels, classes found: {', '.join(found)}")

PREDICTIONS_DIR = GRID_DIR / "minhas_predicoes"
mask_path, overlay_path = save_prediction(image_path, label, args["classes"], PREDICTIONS_DIR)
display(Image(filename=str(overlay_path)))

# %% [markdown]
# A máscara `_mask.png` é um PNG com paleta, igual aos rótulos do VOC: `np.array(Image.open(...))`
# devolve os índices das classes do VOC (0 = fundo, 6 = ônibus, 15 = pessoa).
#
# ### Pela linha de comando
#
# O mesmo pode ser feito no terminal, para uma imagem ou uma pasta inteira de imagens:
#
# ```bash
# python -m fcn_course predict CHECKPOINT IMAGEM_OU_PASTA --out PASTA_DE_SAIDA --models NOTEBOOKS
# ```
#
# por exemplo, a partir da pasta deste notebook:
#
# ```bash
# python -m fcn_course predict runs/grid/vgg16-skip-pretrained/best.pt fotos/ --out predicoes/ \
#     --models 02_fcn_alexnet.ipynb 04_fcn_vgg16.ipynb
# ```
#
# Num notebook, ponha um `!` na frente do comando. Atenção: a linha de comando não enxerga as classes
# definidas neste notebook. Passe a ela, com `--models 02_fcn_alexnet.ipynb 04_fcn_vgg16.ipynb`, os
# notebooks onde você as escreveu (os caminhos são relativos à pasta onde o comando roda).

# %% [markdown]
# ## Desafio (opcional, extra): avaliar a imagem inteira, de qualquer tamanho
#
# Para quem quiser ir além: o desafio não vale nota, e o resto do notebook roda sem ele.
#
# A seção "Avaliação honesta" lembrou que medimos recortes centrais, embora uma FCN possa ver a imagem
# inteira. As FCNs do curso interpolam as *features* profundas até o tamanho do *skip*, e aceitam qualquer
# lado a partir do mínimo do *backbone*. Muitas outras, porém (as do artigo, com convoluções transpostas e
# recortes, ou uma U-Net), exigem lados múltiplos do *stride* total, 32. Um avaliador que sirva para
# qualquer uma delas completa a imagem até o próximo múltiplo de 32, prevê e recorta os escores de volta
# ao tamanho original.
#
# Escreva `predict_whole_image(model, images)`: para imagens `[N, 3, H, W]` de qualquer tamanho, devolva os
# escores `[N, C, H, W]` do modelo, sem redimensionar a imagem. A verificação usa uma rede de teste que
# recusa lados que não sejam múltiplos de 32, com imagens de lados ímpares (37×50, 33×95, 100×31...).
#
# Para ir além: com a sua função, avalie o `best.pt` da melhor configuração nas imagens inteiras da
# validação (uma por lote) e compare com a mIoU dos recortes. Qual é maior, e por quê?

# %%
import torch.nn.functional as F


def predict_whole_image(model, images, multiple=32):
    """Class scores [N, C, H, W] for images [N, 3, H, W] of any size: pad to a multiple of `multiple`, predict,
    crop back to H x W."""
    height, width = images.shape[-2:]
    raise NotImplementedError("complete a imagem até um múltiplo de `multiple`, rode o modelo e recorte os escores de volta ao tamanho original")


# %% [markdown]
# **Dicas** (abra uma de cada vez, só quando precisar: a seguinte aparece dentro da anterior)
#
# <details><summary>Dica 1</summary>
#
# `(-height) % multiple` é quanto falta para o próximo múltiplo; `F.pad(images, (0, pad_w, 0, pad_h))` acrescenta colunas à direita e linhas embaixo.
#
# <details><summary>Dica 2</summary>
#
# A imagem original ocupa o canto superior esquerdo da imagem completada: os escores dela são as primeiras `height` linhas e `width` colunas dos escores.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# pad_h, pad_w = ...
# scores = ...  # o modelo na imagem completada (sem gradiente)
# return ...
# ```
#
# </details></details></details>

# %%
checks.check("whole-image");

# %% [markdown]
# ## Para casa (opcional): o que veio depois das FCNs
#
# As FCNs abriram caminho para quase todas as redes de segmentação que vieram depois. Quatro ideias
# que você vai reconhecer quando as encontrar:
#
# * **U-Net** (Ronneberger, Fischer e Brox, 2015, [arXiv:1505.04597](https://arxiv.org/abs/1505.04597)).
#   Um caminho que reduz a imagem (o codificador) e
#   outro, simétrico, que a amplia de volta (o decodificador), com uma *skip connection* em **cada**
#   resolução. Em cada nível, as *features* do codificador são **concatenadas** às do decodificador e
#   passam por novas convoluções. É a operação que você escreveu nos exercícios 2 e 6 (concatenar no
#   eixo dos canais, em vez de somar escores como o artigo das FCNs), só que repetida em todos os
#   níveis e com *upsampling* aprendido: a sua FCN com *skip* é uma prima simples da U-Net.
# * **SegNet** (Badrinarayanan, Kendall e Cipolla, 2015,
#   [arXiv:1511.00561](https://arxiv.org/abs/1511.00561)). Também codificador e decodificador, mas o
#   decodificador amplia os mapas usando os **índices** guardados por cada *max-pooling* do codificador
#   (em que posição da janela estava o máximo), em vez de interpolar ou concatenar *features*.
# * **DeepLab** (Chen et al., 2014 e 2016, [arXiv:1412.7062](https://arxiv.org/abs/1412.7062) e
#   [arXiv:1606.00915](https://arxiv.org/abs/1606.00915)). Em vez de reduzir a imagem 32 vezes e depois ampliar, tira parte dos
#   *strides* do *backbone* e usa **convoluções dilatadas** (*atrous*): o *kernel* é espaçado, e o campo
#   receptivo cresce sem perder resolução (é o parâmetro `dilation` da fórmula do campo receptivo do
#   notebook 02). O **ASPP** (*atrous spatial pyramid pooling*) aplica em paralelo convoluções
#   dilatadas com taxas diferentes, para ver cada pixel em várias escalas ao mesmo tempo.
# * **Semântica, de instâncias, panóptica.** Aqui fizemos **segmentação semântica**: cada pixel
#   recebe uma classe, e duas pessoas lado a lado viram uma única mancha "pessoa". A **segmentação de
#   instâncias** separa cada objeto (pessoa 1, pessoa 2), em geral só para as classes de coisas
#   contáveis; a Mask R-CNN (He et al., 2017, [arXiv:1703.06870](https://arxiv.org/abs/1703.06870)) é o
#   exemplo clássico. A **segmentação panóptica** (Kirillov et al., 2018,
#   [arXiv:1801.00868](https://arxiv.org/abs/1801.00868)) junta as duas: todo pixel recebe uma classe, e os
#   pixels de coisas contáveis recebem também o número da sua instância.
#
# ## Resumo
#
# * Um experimento controlado muda uma coisa de cada vez. No perfil `full`, as 8 configurações têm os
#   mesmos dados, épocas, taxa de aprendizado e semente; no `demo`, a VGG16 usa configurações menores, e
#   só se compara *skip* com sem *skip* dentro de cada *backbone*. Em todos os perfis, o pré-treino vem
#   junto com uma taxa 10× menor no *backbone*: a grade mede os dois efeitos juntos.
# * Uma configuração sem os pesos pré-treinados é pulada, com o motivo, e nunca treinada com pesos
#   aleatórios sob o rótulo "pré-treinada".
# * O que se espera no VOC real (ainda não medido pelo curso): pré-treinada ≫ do zero; VGG16 > AlexNet
#   (mais lenta); *skip* melhora bordas e objetos pequenos, com ganho pequeno na mIoU. No `demo` medido,
#   o ganho do *skip* é grande (+0,30 de mIoU(fg) na AlexNet, melhor época), porque as pessoas
#   sintéticas são finas.
# * A melhor época foi escolhida na própria validação: a mIoU dela é otimista. Compare pela última.
# * Artigo das FCNs: FCN-AlexNet 39,8 e FCN-VGG16 56,0 (Tabela 1); FCN-32s-fixed 45,4, FCN-32s 59,4,
#   FCN-16s 62,4 e FCN-8s 62,7 (Tabela 2); a FCN-VGG16 e a FCN-32s são a mesma rede, com outros dados
#   de treino e outro conjunto de validação. Números de mIoU só se comparam com o mesmo conjunto, as
#   mesmas classes e a mesma forma de calcular.
# * Depois das FCNs: U-Net (concatenação em todos os níveis), SegNet (índices do *pooling*), DeepLab
#   (convoluções dilatadas, ASPP); e, além da segmentação semântica, a de instâncias e a panóptica.
# * `fcn_course.predict` e `python -m fcn_course predict` aplicam um modelo treinado às suas fotos.
#
# Parabéns: você construiu, treinou e avaliou FCNs de ponta a ponta!
