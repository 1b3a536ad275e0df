# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Abrir no Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/fcn-course/fcn-course/blob/main/notebooks/02_fcn_alexnet.ipynb)

# %%
# Google Colab: instala o curso e (se você quiser) guarda os dados no seu Drive.
# Fora do Colab esta célula não faz nada.
USAR_DRIVE = False  # True: dados do curso em MyDrive/fcn_course_data no seu Google Drive
import importlib.util, subprocess, sys
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
# # 02 · FCN com AlexNet
#
# Para consultar a qualquer momento: a [referência rápida](referencia.md) reúne formas, fórmulas e um glossário português ↔ inglês.
#
# No notebook 01 preparamos os dados e as métricas. Agora vamos construir e treinar a primeira
# **Fully Convolutional Network**, usando como *backbone* a AlexNet, a rede que venceu o desafio de
# classificação do ImageNet de 2012 (ILSVRC 2012, *ImageNet Large Scale Visual Recognition Challenge*).
#
# O artigo que seguimos é Long, Shelhamer e Darrell, *Fully Convolutional Networks for Semantic
# Segmentation*, CVPR 2015 ([arXiv:1411.4038](https://arxiv.org/abs/1411.4038)). Quando o texto cita
# "o artigo" com uma seção (§4.3, por exemplo), é a numeração dessa versão do arXiv.
#
# **Ao final deste notebook você consegue**
#
# 1. mostrar, com uma conta, que uma camada totalmente conectada é uma convolução do tamanho do mapa de
#    *features*, e explicar por que isso deixa a rede devolver um mapa de escores em vez de um rótulo;
# 2. dizer o *stride* e o campo receptivo de cada corte da AlexNet que a FCN usa (pool1, pool2, pool5) e
#    calculá-los a partir de `kernel_size`, `stride`, `padding` e `dilation` das camadas;
# 3. calcular o desvio-padrão da inicialização de Kaiming de uma camada e mostrar o que acontece com as
#    ativações quando os pesos começam pequenos ou grandes demais;
# 4. escrever a FCN-AlexNet sem *skip connections* (**Exercício 1**) e com elas (**Exercício 2**) e
#    fazê-las passar nas verificações;
# 5. montar o otimizador dos quatro casos pré-treinada × *skip* e a perda por pixel que ignora o *void*
#    (**Exercício 3**);
# 6. treinar a rede e explicar cada número que o treino imprime (perda, mIoU(fg), tempo por época);
# 7. calcular à mão a saída e o tamanho de uma convolução transposta, trocar a interpolação fixa por
#    uma convolução transposta iniciada como bilinear, e explicar o padrão de xadrez (**Exercício 4**);
# 8. calcular pesos de classe pela frequência dos pixels e escrever a perda de Dice (**Exercício 5**).
#
# Cada exercício de código é seguido de uma célula de verificação (`checks.…`) que diz, em português, o
# que está certo e o que falta.
#
# **Quanto tempo leva.**
#
# * **Tempo de estudo: ~190 min** (mais de 3 horas): ler com calma (cerca de 40 min), rodar as células,
#   fazer os exercícios 1 a 5 (uns 15 min por parte verificada) e responder a duas perguntas. Não cabe
#   numa aula de 100 minutos: um bom ponto de parada é depois do treino e das predições, antes do
#   exercício 4; os exercícios 4 e 5 podem ficar para casa.
# * **Tempo de máquina**: o que pesa é o treino. No perfil `demo`, numa CPU de 2 núcleos, cada época da
#   FCN-AlexNet leva uns 3,5 s (12 épocas: menos de um minuto) e o notebook inteiro, com as verificações,
#   pouco mais de 1 minuto (70 s medidos). No perfil `full` são 50 épocas sobre o VOC: veja a tabela
#   *Time budget* do `README.md` (numa GPU como a do Colab, ainda não medido).

# %% [markdown]
# ## Preparação
#
# As mesmas configurações do notebook 01: hiperparâmetros, dispositivo e `DataLoader`s. A saída da célula
# diz qual perfil está rodando (`full`, `demo` ou `smoke`; veja o notebook 01).

# %%
import time
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn
from torchvision import models

from fcn_course import checks, plots, quiz, runs
from fcn_course.backbones import (ALEXNET_CHANNELS, ALEXNET_STRIDE8_END, ALEXNET_STRIDE16_END, bilinear_kernel,
                                  initialize_weights, load_alexnet)
from fcn_course.config import course_args, seed_everything
from fcn_course.data import make_loaders, prepare_data
from fcn_course.engine import count_parameters, fit

# %%
# %matplotlib inline

args = course_args()
seed_everything(args["seed"])

print("device:", args["device"])
prepare_data(args)  # says which profile runs, and writes the synthetic dataset when it needs one
print({key: args[key] for key in ("epoch_num", "classes", "pretrained", "skip", "lr", "batch_size",
                                  "h_size", "w_size")})

train_loader, val_loader = make_loaders(args)

# %% [markdown]
# ## Um rótulo por imagem, um rótulo por pixel
#
# Uma CNN de **classificação** dá **um rótulo para a imagem inteira** ("esta foto mostra um ônibus").
# Em **segmentação semântica** queremos **um rótulo por pixel**: é uma **predição densa** (em inglês,
# *dense prediction*, o termo do artigo). A saída da rede deixa de ser um vetor de $C$ escores e passa a ser um tensor
# $[B, C, H, W]$: para cada pixel, um escore por classe. Um `softmax` no eixo 1 dá a distribuição de
# probabilidade das classes em cada pixel, e um `argmax` no mesmo eixo dá o mapa de rótulos $[B, H, W]$.

# %% [markdown]
# ## De CNN de classificação a FCN
#
# Uma CNN clássica (AlexNet, VGG) tem duas partes:
#
# * **camadas convolucionais e de *pooling*** (`model.features`): extraem características; a resolução
#   espacial cai (224 → 6 na AlexNet) e o número de canais cresce;
# * **camadas totalmente conectadas** (FC, `model.classifier`): achatam o mapa de *features* num vetor e
#   produzem um escore por classe. Ao achatar, a rede **joga fora a organização espacial**, e a primeira
#   camada FC só aceita um vetor de tamanho fixo (na AlexNet, $256\times6\times6 = 9216$ números).
#
# Um detalhe do torchvision: na AlexNet e na VGG16 de lá, a imagem não precisa ter um tamanho fixo.
# Entre `features` e `classifier` há um `nn.AdaptiveAvgPool2d`. Ele reduz um mapa de qualquer tamanho a
# $6\times6$ na AlexNet e a $7\times7$ na VGG16; se o mapa for menor, ele repete posições. Mesmo assim,
# a saída continua sendo **um** vetor de escores para a imagem inteira. O *pooling* adaptativo resolve o
# tamanho, mas não devolve a organização espacial.
#
# Long, Shelhamer e Darrell (CVPR 2015) observaram que uma camada FC é só uma convolução cujo filtro
# cobre o mapa de *features* inteiro. Trocando as FC por **convoluções**, a rede fica **totalmente
# convolucional**: aceita imagens de qualquer tamanho e produz um **mapa** de escores, um por região da
# imagem. Falta só ampliar esse mapa até o tamanho da imagem.

# %%
plots.cnn_to_fcn_diagram()

# %% [markdown]
# Vamos ver isso em números: uma camada FC sobre as *features* $256\times6\times6$ da AlexNet (9216
# entradas, 10 saídas) e uma convolução $6\times6$ com **os mesmos pesos** dão os mesmos escores. Mas a
# convolução também funciona num mapa de *features* maior, e aí devolve um mapa de escores.

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
fc = nn.Linear(256 * 6 * 6, 10)
conv = nn.Conv2d(256, 10, kernel_size=6)
with torch.no_grad():
    conv.weight.copy_(fc.weight.view(10, 256, 6, 6))  # each output of the FC layer becomes one 256x6x6 filter
    conv.bias.copy_(fc.bias)

    features = torch.randn(1, 256, 6, 6)
    fc_scores = fc(features.flatten(start_dim=1))
    conv_scores = conv(features)
    print("FC scores:  ", tuple(fc_scores.shape))
    print("conv scores:", tuple(conv_scores.shape))
    print("same values:", torch.allclose(fc_scores, conv_scores.flatten(start_dim=1), atol=1e-5))

    bigger = torch.randn(1, 256, 12, 16)  # the features of a larger image
    print("conv on 256x12x16 features:", tuple(conv(bigger).shape), "-> a 7x11 map of scores")
    print("the FC layer would need exactly", fc.in_features, "inputs, but got", bigger[0].numel())

# %% [markdown]
# ## *Transfer learning*
#
# Aprender do zero as camadas convolucionais de uma AlexNet ou de uma VGG16 é caro: foi o que se fez no
# **ImageNet** (1,2 milhão de imagens), com muito tempo de GPU. As camadas que saem desse treino já sabem
# detectar bordas, texturas e partes de objetos, e isso serve para qualquer tarefa com fotos.
# *Transfer learning* é reaproveitar esse conhecimento: o *backbone* da FCN começa com os pesos do
# ImageNet e só o classificador novo começa aleatório (com a inicialização padrão do PyTorch; a de
# Kaiming, explicada antes dos exercícios 1 e 2, é aplicada quando a rede inteira é treinada do zero).
#
# Na hora de treinar, o classificador novo precisa mudar muito; o *backbone*, só de um ajuste fino
# (*fine-tuning*). Uma escolha comum, e a deste curso (herdada do curso original), é dar ao *backbone*
# pré-treinado uma taxa de aprendizado **10 vezes menor** (`lr × 0.1`), para que atualizações grandes não
# estraguem o que queríamos aproveitar. É uma escolha de projeto, não uma regra: o artigo das FCNs
# ajusta **todas** as camadas com a mesma taxa (SGD com *momentum* 0,9, lotes de 20 imagens, taxa fixa de
# $10^{-4}$ para a FCN-VGG16 e o dobro para os vieses; §4.3, "Optimization"). No notebook 04 você vai ver
# que essa escolha se mistura com o efeito do pré-treino.
#
# Os autores das FCNs não treinaram do zero: eles escrevem que isso "não é viável", considerando o
# **tempo** necessário para aprender as redes de classificação de base (§4.3, "Fine-tuning"), e partem
# sempre de redes pré-treinadas. O motivo que eles dão é tempo de computação, não a quantidade de dados. No nosso caso
# há também pouco dado (o subconjunto tem algumas centenas de imagens de treino, notebook 01); no
# notebook 04 vamos medir quanto o pré-treino faz de diferença.
#
# `load_alexnet(pretrained=True)` carrega os pesos do ImageNet (baixando-os na primeira vez);
# `pretrained=False` cria a rede com pesos aleatórios, sem acessar a internet.

# %% [markdown]
# ## A AlexNet por dentro
#
# Nossa FCN usa só a parte `features` da AlexNet: 5 convoluções e 3 *max-poolings*.

# %%
alexnet_features = load_alexnet(pretrained=False).features
print(alexnet_features)

# %% [markdown]
# Vamos passar uma imagem falsa de $224\times224$ camada por camada e ver o tamanho espacial depois de
# cada uma. A coluna da direita é só a razão entre 224 e o lado do mapa. Ela **não** é o *stride*: as
# convoluções e os *poolings* sem *padding* perdem alguns pixels nas bordas, o mapa fica um pouco menor
# que $224/\text{stride}$ e a razão sai quebrada (4,1; 8,3; 17,2; 37,3).

# %%
# NBVAL_CHECK_OUTPUT
x = torch.zeros(1, 3, 224, 224)
with torch.no_grad():
    for index, layer in enumerate(alexnet_features):
        x = layer(x)
        note = ""
        if index + 1 == ALEXNET_STRIDE8_END:
            note = '  <- end of backbone1 for "8s" (features[:3])'
        elif index + 1 == ALEXNET_STRIDE16_END:
            note = '  <- end of backbone1 for "16s" (features[:6])'
        elif index + 1 == len(alexnet_features):
            note = "  <- end of the backbone (pool5)"
        print(f"{index:2d} {type(layer).__name__:<10} {str(list(x.shape)):<18} 224/{x.shape[-1]} = "
              f"{224 / x.shape[-1]:4.1f}{note}")
print("channels at each stride:", ALEXNET_CHANNELS)

# %% [markdown]
# ### *Stride* e campo receptivo, calculados
#
# O ***stride* acumulado** de um mapa é a distância, em pixels da entrada, entre duas posições vizinhas
# desse mapa: o produto dos *strides* de todas as camadas até ali. O **campo receptivo** é o lado da
# janela da imagem de entrada da qual uma posição do mapa depende. Para cada camada $l$ com *kernel*
# $k_l$, *stride* $s_l$ e dilatação $d_l$, e começando de $S_0 = r_0 = 1$ (um pixel da entrada vê a si
# mesmo):
#
# $$ r_l = r_{l-1} + d_l\,(k_l - 1)\,S_{l-1}, \qquad S_l = S_{l-1}\,s_l . $$
#
# (Um *kernel* de lado $k$ com dilatação $d$ vai $d\,(k-1)$ posições além da primeira no mapa anterior,
# e posições vizinhas desse mapa estão a $S_{l-1}$ pixels uma da outra na entrada.) A célula abaixo
# aplica essas duas fórmulas aos atributos `kernel_size`, `stride`, `padding` e `dilation` das camadas
# de `features` da AlexNet e da VGG16 do torchvision (`weights=None`: nada é baixado) e imprime uma
# linha a cada vez que o *stride* cresce.

# %%
# NBVAL_CHECK_OUTPUT
def first(value):
    """Layer settings may be an int or an (h, w) tuple; our layers are square, so take the first."""
    return value[0] if isinstance(value, tuple) else value


def stride_and_receptive_field(features, input_size=224):
    """Walk a `features` Sequential; yield (index, layer, map size, stride, receptive field) where the stride grows.

    map size: side of the output for a square input of `input_size` pixels;
    stride: input pixels between two neighbouring positions of the map (the product of the strides so far);
    receptive field: side, in input pixels, of the window that one position of the map depends on.
    """
    stride, field, size = 1, 1, input_size
    for index, layer in enumerate(features):
        if not isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
            continue  # ReLU and Dropout change neither the size, the stride nor the receptive field
        kernel, step = first(layer.kernel_size), first(layer.stride)
        padding, dilation = first(layer.padding), first(layer.dilation)
        field += dilation * (kernel - 1) * stride  # the kernel's taps are `stride` input pixels apart
        size = (size + 2 * padding - dilation * (kernel - 1) - 1) // step + 1
        stride *= step
        if step > 1:
            yield index, layer, size, stride, field


layer_names = {"AlexNet": ("conv1", "pool1", "pool2", "pool5"),
               "VGG16": ("pool1", "pool2", "pool3", "pool4", "pool5")}
for name, net in (("AlexNet", models.alexnet(weights=None)), ("VGG16", models.vgg16(weights=None))):
    print(f"{name + ', 224x224':<22}{'map':>8}{'224/map':>9}{'stride':>8}{'receptive field':>17}")
    rows = stride_and_receptive_field(net.features)
    for layer_name, (index, layer, size, stride, field) in zip(layer_names[name], rows):
        print(f"  {layer_name} = features[{index:2d}]{f'{size}x{size}':>8}{224 / size:9.1f}{stride:8d}{field:14d} px")

# %% [markdown]
# Os *strides* são exatos: 4, 8, 16 e 32 na AlexNet, como na VGG16. Cada posição do pool5 da AlexNet
# depende de uma janela de $195\times195$ pixels, quase a imagem inteira; na VGG16, de $212\times212$.
# (É o campo receptivo teórico: nas posições perto da borda, parte dessa janela cai no *padding*.)
#
# Três pontos de corte nos interessam:
#
# * depois do **pool1** (`features[:3]`): 64 canais em $27\times27$, *stride* 8, campo receptivo de 19
#   pixels;
# * depois do **pool2** (`features[:6]`): 192 canais em $13\times13$, *stride* 16, campo receptivo de 67
#   pixels;
# * depois do **pool5** (a saída de `features`): 256 canais em $6\times6$, *stride* 32, campo receptivo
#   de 195 pixels.
#
# As constantes `ALEXNET_STRIDE8_END = 3` e `ALEXNET_STRIDE16_END = 6` de `fcn_course.backbones` guardam
# esses índices, e `ALEXNET_CHANNELS` guarda os canais. Repare que uma imagem menor que 63 pixels
# não sobrevive às reduções: a FCN-AlexNet recusa entradas menores que isso.

# %%
quiz.ask("stride-32")

# %% [markdown]
# ## Voltando à resolução da imagem: interpolação bilinear
#
# A saída do *backbone* tem $6\times6$ posições, mas queremos uma classe para cada um dos $224\times224$
# pixels. A forma mais simples de ampliar um mapa é a **interpolação bilinear**: cada pixel novo é uma
# média ponderada dos 4 vizinhos mais próximos do mapa pequeno, com pesos que dependem da distância. Ao
# contrário do "vizinho mais próximo", que produz blocos, o resultado muda suavemente. Em PyTorch:
# `F.interpolate(x, size=(H, W), mode="bilinear", align_corners=False)`. (O curso original usava
# `F.upsample`, que está obsoleta.)

# %%
plots.bilinear_demo()

# %% [markdown]
# No artigo, o *upsampling* é feito por **convoluções transpostas** (`nn.ConvTranspose2d`) com os pesos
# da interpolação bilinear, mas com um tratamento diferente para cada uma:
#
# * as camadas **intermediárias**, que ampliam os escores 2× antes de cada soma com uma *skip* (na
#   FCN-16s e na FCN-8s), são **inicializadas** com a interpolação bilinear e depois **aprendidas** no
#   treino;
# * a camada **final**, que amplia até o tamanho da imagem (×32, ×16 ou ×8), fica **fixa** na
#   interpolação bilinear: os seus pesos não são treinados.
#
# Este curso usa `F.interpolate` nas duas posições, isto é, só interpolação bilinear fixa. A função
# `bilinear_kernel` de `fcn_course.backbones` cria os pesos de uma convolução transposta que faz essa
# mesma interpolação. Conferindo (longe das bordas, onde a convolução transposta não tem vizinhos
# suficientes):

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
factor = 2
upsample = nn.ConvTranspose2d(3, 3, kernel_size=2 * factor, stride=factor, padding=factor // 2, bias=False)
with torch.no_grad():
    upsample.weight.copy_(bilinear_kernel(3, 3, 2 * factor))
    scores = torch.randn(1, 3, 8, 8)
    learned = upsample(scores)
    fixed = F.interpolate(scores, scale_factor=factor, mode="bilinear", align_corners=False)
inner = (slice(None), slice(None), slice(factor, -factor), slice(factor, -factor))
print("shapes:", tuple(learned.shape), tuple(fixed.shape))
print("equal away from the borders:", torch.allclose(learned[inner], fixed[inner], atol=1e-5))

# %% [markdown]
# ## Onde fazer o *upsampling*?
#
# O enunciado original pedia para interpolar as ***features*** da AlexNet ($256\times6\times6$) até
# $256\times224\times224$ e só então aplicar o classificador. Funciona, mas é caro: o classificador
# passa a rodar em 50 mil posições em vez de 36. Medimos uma iteração de treino (*forward* + *backward*,
# lote de 8 imagens de 224×224, numa CPU de 2 núcleos) com um classificador feito de uma única
# convolução $1\times1$ (256 → 3 canais): **0,10 s** classificando na resolução das *features* e
# interpolando os escores, contra **0,89 s** interpolando antes os 256 canais das *features*. Com o
# classificador $3\times3$ da próxima célula, a diferença seria muito maior: 0,021 contra 29,6 GMAC
# por imagem, como a célula imprime. (GMAC: bilhões de operações de multiplicar e acumular, em inglês
# *multiply-accumulate*, a conta $a \leftarrow a + w\,x$ de que uma convolução é feita; 1 GMAC são
# $10^9$ dessas contas.)
#
# Neste curso, então, o classificador roda na resolução das *features* e interpolamos os **escores das
# classes** (que têm só $C$ canais). É também o que o artigo faz. E, se o classificador é uma **única**
# convolução $1\times1$, a ordem nem muda o resultado: a convolução $1\times1$ só mistura os canais de
# cada pixel, e a interpolação bilinear só mistura posições vizinhas de cada canal; as duas são lineares
# (e os pesos da interpolação somam 1, então o viés passa intacto), logo comutam. Com ReLUs ou
# convoluções $3\times3$ no meio, as duas ordens dão redes diferentes (igualmente válidas), e ficamos
# com a mais barata.

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
features = torch.randn(1, 256, 7, 7)
score_layer = nn.Conv2d(256, 3, kernel_size=1)
with torch.no_grad():
    classify_then_upsample = F.interpolate(score_layer(features), size=(224, 224), mode="bilinear",
                                           align_corners=False)
    upsample_then_classify = score_layer(F.interpolate(features, size=(224, 224), mode="bilinear",
                                                       align_corners=False))
difference = (classify_then_upsample - upsample_then_classify).abs().max().item()
print("shapes:", tuple(classify_then_upsample.shape), tuple(upsample_then_classify.shape))
print("max difference below 1e-4:", difference < 1e-4)

# Multiply-accumulate operations of a classifier "3x3 conv 256->256, then 1x1 conv 256->3" per image.
macs_per_position = 256 * 256 * 3 * 3 + 256 * 3
for side in (6, 224):
    print(f"classifier on a {side}x{side} map: {side * side * macs_per_position / 1e9:7.3f} GMAC")

# %%
quiz.ask("conv-replaces-fc")

# %% [markdown]
# ## *Skip connections*
#
# Uma FCN sem atalhos aposta que toda a informação espacial necessária sobrevive até o mapa de
# $6\times6$, e depois amplia esse mapa 32 vezes: é a **FCN-32s**. Os contornos saem borrados, e objetos
# pequenos somem. O próprio artigo do FCN propôs ***skip connections***: levar também as *features* de uma
# camada **rasa** (de maior resolução) até o classificador.
#
# * **FCN-16s**: combina a predição feita no fim do *backbone* com uma predição feita a partir do
#   **pool4** (*stride* 16);
# * **FCN-8s**: acrescenta também uma predição feita a partir do **pool3** (*stride* 8).
#
# (Os nomes pool3/pool4 vêm da VGG16, usada no artigo. Na AlexNet, que tem menos *poolings*, os
# equivalentes são o pool1, com *stride* 8, e o pool2, com *stride* 16, exatamente os mesmos *strides*,
# como a tabela calculada acima mostrou.)
#
# Por que ajudam?
#
# 1. **Detalhe espacial**: as camadas profundas sabem *o que* há na imagem, as rasas sabem *onde* estão
#    as bordas; o classificador passa a ver as duas coisas, e o mapa final é mais nítido.
# 2. **Gradientes com caminho mais curto**: o gradiente chega às camadas rasas por um atalho, sem
#    atravessar a rede inteira. O artigo não usa esse argumento (a motivação dele é o item 1), mas é um
#    efeito que você vai reencontrar nas U-Nets e nas ResNets.
#
# Os dois desenhos abaixo usam os tamanhos da AlexNet para uma entrada de $224\times224$: conv1
# $55\times55$, pool1 $27\times27$, pool2 $13\times13$ e pool5 $6\times6$. Sem *skip* (FCN-32s), o
# classificador prevê num mapa de $6\times6$, que é ampliado até $224\times224$. Com *skip* (estilo
# FCN-8s), as *features* do pool5 são ampliadas de $6\times6$ para $27\times27$ e concatenadas às do
# pool1; os escores saem em $27\times27$ e são ampliados até $224\times224$.

# %%
plots.fcn_diagram(skip=False, backbone="alexnet")

# %%
plots.fcn_diagram(skip=True, backbone="alexnet")

# %%
quiz.ask("skip-adds")

# %% [markdown]
# Os números do artigo, em *mean IU* (*mean intersection over union*: é o nome que o artigo dá à mIoU
# do notebook 01, a média das IoUs das 21 classes, em %). A Tabela 1 está na §4.1 do artigo e a
# Tabela 2 na §4.2:
#
# | Modelo | *mean IU* | Conjunto |
# |---|---|---|
# | FCN-AlexNet | 39,8 | VOC2011 val (Tabela 1) |
# | FCN-VGG16 | 56,0 | VOC2011 val (Tabela 1) |
# | FCN-32s-fixed (só a última camada treinada; o resto congelado) | 45,4 | seg11valid (Tabela 2) |
# | FCN-32s | 59,4 | seg11valid (Tabela 2) |
# | FCN-16s | 62,4 | seg11valid (Tabela 2) |
# | FCN-8s | 62,7 | seg11valid (Tabela 2) |
#
# Cuidado ao ler as duas tabelas juntas: a FCN-VGG16 da Tabela 1 (56,0) e a FCN-32s da Tabela 2 (59,4)
# são **a mesma rede**; a legenda da Tabela 2 diz que a FCN-32s é a FCN-VGG16 "renomeada". Os 3,4 pontos
# de diferença vêm de duas mudanças de protocolo, não da arquitetura:
#
# * **mais dados de treino**: as anotações extras do SBD (*Semantic Boundaries Dataset*, Hariharan et
#   al., 2011), com 11.355 imagens, 8.498 de treino e 2.857 de validação; o artigo treina com as 8.498;
# * **outro conjunto de validação**: o seg11valid, 736 imagens da validação do VOC 2011 que não estão no
#   treino do SBD (nota 7 do artigo).
#
# A linha "fixed" mostra que ajustar o *backbone* (*fine-tuning*) vale bem mais do que treinar só a
# última camada. Não espere esses números no curso: usamos 3 classes, menos imagens, menos épocas e
# outra forma de combinar os ramos. O que a tabela diz sobre *backbones* e *skip connections* fica para
# você tirar nos notebooks 03 e 04, onde há perguntas sobre isso.
#
# ### Concatenar ou somar?
#
# O artigo **soma escores de classe**, não *features* (§4.2). Cada ramo produz $C$ canais de escores:
#
# * o pool5 passa pelas antigas camadas totalmente conectadas da VGG16, transformadas em convoluções
#   (`fc6`, $7\times7$, e `fc7`, $1\times1$), e depois por uma convolução $1\times1$ de escores
#   (`score_fr`);
# * o pool4 e o pool3 ganham, cada um, só uma convolução $1\times1$ de escores (`score_pool4`,
#   `score_pool3`).
#
# Esses mapas de escores são somados depois de ampliados (e recortados) para o mesmo tamanho.
#
# Neste curso, como no original, **concatenamos *features*** no eixo dos canais: as *features* rasas e
# as profundas (ampliadas até o tamanho das rasas) viram um único tensor, e o classificador aprende a
# combiná-las. Consequência prática: **a primeira camada do classificador precisa aceitar
# $C_{raso} + C_{profundo}$ canais de entrada**. As duas variantes são válidas; no notebook 03 você
# escreve também a do artigo.

# %%
# NBVAL_CHECK_OUTPUT
shallow = torch.randn(8, 64, 27, 27)  # pool1 of AlexNet ("8s")
deep = torch.randn(8, 256, 6, 6)      # pool5
deep_up = F.interpolate(deep, size=shallow.shape[-2:], mode="bilinear", align_corners=False)
fused = torch.cat([shallow, deep_up], dim=1)  # dim=1 is the channel axis of [B, C, H, W]
print("shallow:", tuple(shallow.shape))
print("deep upsampled:", tuple(deep_up.shape))
print("concatenated:", tuple(fused.shape), "-> 64 + 256 =", 64 + 256, "channels")

first_classifier_layer = nn.Conv2d(64 + 256, 128, kernel_size=1)  # must expect C_skip + C_deep channels
print("after the first classifier layer:", tuple(first_classifier_layer(fused).shape))

# The paper's alternative: class scores from each path (C channels each), then a sum.
num_classes = 3
summed = (nn.Conv2d(64, num_classes, kernel_size=1)(shallow)
          + F.interpolate(nn.Conv2d(256, num_classes, kernel_size=1)(deep), size=(27, 27), mode="bilinear",
                          align_corners=False))
print("paper-style sum of scores:", tuple(summed.shape))

# %% [markdown]
# ## Inicialização dos pesos (Kaiming)
#
# A classe `FCN_AlexNet` dos exercícios 1 e 2 termina com `initialize_weights(self)` quando
# `pretrained=False`. O que essa linha faz, e por quê?
#
# Quando uma camada é treinada **do zero** (sem pesos do ImageNet), seus pesos começam aleatórios. Mas
# não qualquer aleatório: se os pesos forem pequenos demais, o sinal encolhe a cada camada até sumir; se
# forem grandes demais, ele explode. Nos dois casos os gradientes também somem ou explodem, e a rede
# não aprende.
#
# Considere uma camada com $n_{in}$ entradas por neurônio (o *fan-in*; numa convolução
# $k\times k$ com $C_{in}$ canais, $n_{in} = C_{in}\,k^2$), seguida de uma ReLU. Como a ReLU zera
# metade dos valores, ela corta pela metade o segundo momento do sinal. He et al. (2015) mostraram que,
# para compensar e manter a variância das ativações aproximadamente constante de camada em camada,
# basta sortear os pesos com
#
# $$ w \sim \mathcal{N}\!\left(0,\ \sigma^2\right), \qquad \sigma = \sqrt{\frac{2}{n_{in}}} .$$
#
# É a **inicialização de Kaiming** (ou de He; He, Zhang, Ren e Sun, *Delving Deep into Rectifiers*,
# 2015, [arXiv:1502.01852](https://arxiv.org/abs/1502.01852)). A função `initialize_weights` de
# `fcn_course.backbones` a aplica a todas as convoluções e camadas lineares de um módulo (e zera os
# vieses, o atributo `bias`). Vamos conferir numa convolução $3\times3$ com 256 canais de entrada:

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
layer = nn.Conv2d(in_channels=256, out_channels=256, kernel_size=3)
initialize_weights(layer)

fan_in = layer.in_channels * layer.kernel_size[0] * layer.kernel_size[1]
expected_std = (2 / fan_in) ** 0.5
measured_std = layer.weight.std().item()
print(f"fan_in = 256 * 3 * 3 = {fan_in}")
print(f"expected std sqrt(2 / fan_in) = {expected_std:.4f}")
print(f"measured std / expected std   = {measured_std / expected_std:.2f}")
print(f"all biases are zero: {bool((layer.bias == 0).all())}")


# %% [markdown]
# E por que isso importa? Vamos empilhar 15 camadas (linear + ReLU) e medir o desvio-padrão das
# ativações depois de cada uma, comparando a inicialização de Kaiming com pesos sorteados com desvio
# fixo de 0,01 (pequeno demais) e de 0,1 (grande demais).

# %%
def activation_stds(init, depth=15, width=256, seed=0):
    """Std of the activations after each Linear+ReLU layer of a deep stack initialised with `init`."""
    torch.manual_seed(seed)
    x = torch.randn(1024, width)
    stds = []
    for _ in range(depth):
        layer = nn.Linear(width, width)
        init(layer)
        x = torch.relu(layer(x))
        stds.append(x.std().item())
    return stds


def fixed_std_init(std):
    """Normal weights with a fixed std and zero bias, ignoring the fan-in."""
    def init(layer):
        nn.init.normal_(layer.weight, std=std)
        nn.init.zeros_(layer.bias)
    return init


with torch.no_grad():
    results = {
        "Kaiming": activation_stds(initialize_weights),
        "std 0.01": activation_stds(fixed_std_init(0.01)),
        "std 0.1": activation_stds(fixed_std_init(0.1)),
    }
print("layer " + "".join(f"{name:>12}" for name in results))
for depth in (1, 5, 10, 15):
    print(f"{depth:5d} " + "".join(f"{stds[depth - 1]:12.2e}" for stds in results.values()))

# %% [markdown]
# Com Kaiming, o desvio-padrão fica na mesma ordem de grandeza do começo ao fim. Com 0,01 ele encolhe
# cerca de 10× por camada (depois de 15 camadas, praticamente zero); com 0,1 ele cresce a cada camada.
# É por isso que toda FCN treinada do zero neste curso chama `initialize_weights`. Quando o
# *backbone* vem pré-treinado, seus pesos já são bons e **não** são reinicializados; o classificador
# novo fica então com a inicialização padrão do PyTorch.

# %% [markdown]
# ## Exercícios 1 e 2: a FCN-AlexNet
#
# Complete a classe `FCN_AlexNet(num_classes, pretrained=False, skip=False)` na célula abaixo. A
# assinatura, os nomes dos atributos e o `initialize_weights` final já estão prontos; complete os
# trechos que levantam `NotImplementedError`.
#
# **Exercício 1: sem *skip connections*** (`skip=False`, uma FCN-32s)
#
# * `self.backbone`: as camadas convolucionais da AlexNet, `load_alexnet(pretrained).features`. Use
#   sempre `load_alexnet(pretrained)`: ele respeita o argumento `pretrained` e, se os pesos não
#   puderem ser obtidos, explica como resolver.
# * `self.classifier`: um `nn.Sequential` **só com convoluções** (e ReLU/Dropout, se quiser), recebendo
#   256 canais e terminando com `num_classes` canais. Nada de `nn.Linear`!
# * `forward`: *backbone* → classifier → `F.interpolate(..., size=x.shape[-2:], mode="bilinear",
#   align_corners=False)`. Interpole para o tamanho **da entrada** (não para 224 fixo): a rede deve
#   funcionar com qualquer tamanho, inclusive retangular.
#
# **Exercício 2: com *skip connections*** (`skip=True`, que significa `"8s"`, ou `skip="16s"`)
#
# * `self.backbone1`: as *features* da AlexNet até o pool1 (`features[:ALEXNET_STRIDE8_END]`, para
#   `"8s"`) ou até o pool2 (`features[:ALEXNET_STRIDE16_END]`, para `"16s"`);
# * `self.backbone2`: o resto das *features*;
# * `self.classifier`: só convoluções, e a primeira recebe `ALEXNET_CHANNELS[8] + ALEXNET_CHANNELS[32]`
#   canais (ou `ALEXNET_CHANNELS[16] + ALEXNET_CHANNELS[32]`). Como ele roda numa resolução maior,
#   prefira camadas leves ($1\times1$);
# * `forward`: `raso = backbone1(x)`, `profundo = backbone2(raso)`, amplie `profundo` para o tamanho de
#   `raso`, concatene nos canais (`torch.cat(..., dim=1)`), aplique o classificador e amplie os escores
#   até o tamanho de `x`.
#
# Só as partes cujo nome começa com `backbone` recebem pesos do ImageNet: é assim que o otimizador (e a
# biblioteca) sabe o que é *backbone*.

# %% tags=["include:solutions/fcn_alexnet.py"]
"""FCN with an AlexNet backbone (course exercise): FCN-32s without skip connections, FCN-8s or FCN-16s with them."""

import torch
import torch.nn.functional as F
from torch import nn

from fcn_course.backbones import (
    ALEXNET_CHANNELS,
    ALEXNET_MIN_INPUT_SIZE,
    ALEXNET_STRIDE8_END,
    ALEXNET_STRIDE16_END,
    initialize_weights,
    load_alexnet,
)


class FCN_AlexNet(nn.Module):
    """Fully Convolutional Network built on the convolutional layers (`features`) of AlexNet.

    skip=False (FCN-32s): backbone -> classifier at 1/32 of the input -> bilinear upsampling to the input.
    skip=True or "8s" (FCN-8s) / "16s" (FCN-16s): backbone1 (up to pool1, 1/8, or pool2, 1/16) ->
    backbone2 (the rest); the deep features are upsampled to the size of the shallow ones and concatenated
    with them on the channel axis before the classifier.
    Output: class scores [B, num_classes, H, W] for an input [B, 3, H, W].
    """

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()

        if skip is True:
            skip = "8s"
        if skip is not False and skip not in ("8s", "16s"):
            raise ValueError(f"skip must be False, True, '8s' or '16s'; got {skip!r}")
        self.skip = skip

        if self.skip:
            ### BEGIN SOLUTION: crie self.backbone1, self.backbone2 e self.classifier da versão com skip
            ### DICA: as camadas convolucionais que `load_alexnet` traz formam um `nn.Sequential`: fatiadas com `[:i]` e `[i:]`, dão duas partes que, uma depois da outra, fazem o mesmo que o todo.
            ### DICA: Em '8s' o corte fica no fim do pool1 (`ALEXNET_STRIDE8_END`), em '16s' no fim do pool2 (`ALEXNET_STRIDE16_END`); o classificador recebe os canais da parte rasa mais os da profunda (veja `ALEXNET_CHANNELS`) e termina em num_classes canais.
            ### ESQUELETO: features = ...
            ### ESQUELETO: split, shallow_channels = ..., ...  # dependem de self.skip
            ### ESQUELETO: self.backbone1 = ...
            ### ESQUELETO: self.backbone2 = ...
            ### ESQUELETO: self.classifier = nn.Sequential(...)  # convoluções 1x1, ReLU, Dropout2d
            features = load_alexnet(pretrained).features
            if self.skip == "8s":
                split, shallow_channels = ALEXNET_STRIDE8_END, ALEXNET_CHANNELS[8]  # pool1: 64 channels
            else:
                split, shallow_channels = ALEXNET_STRIDE16_END, ALEXNET_CHANNELS[16]  # pool2: 192 channels
            self.backbone1 = features[:split]
            self.backbone2 = features[split:]

            # Light classifier (1x1 convolutions): it runs at the high resolution of the skip.
            self.classifier = nn.Sequential(
                nn.Conv2d(shallow_channels + ALEXNET_CHANNELS[32], 128, kernel_size=1),
                nn.ReLU(inplace=True),
                nn.Dropout2d(0.5),
                nn.Conv2d(128, num_classes, kernel_size=1),
            )
            ### END SOLUTION
        else:
            ### BEGIN SOLUTION: crie self.backbone e self.classifier da versão sem skip
            ### DICA: O backbone são só as camadas convolucionais da rede: veja o que `load_alexnet` devolve (`print(load_alexnet(False))`) e qual atributo guarda essas camadas.
            ### DICA: O classificador troca as camadas totalmente conectadas por convoluções: uma 3x3 que mantém o tamanho do mapa, ReLU, Dropout2d e uma 1x1 que termina em num_classes canais; os canais de entrada estão em `ALEXNET_CHANNELS[32]`.
            ### ESQUELETO: self.backbone = ...
            ### ESQUELETO: self.classifier = nn.Sequential(
            ### ESQUELETO:     nn.Conv2d(..., ..., kernel_size=3, padding=...),
            ### ESQUELETO:     ...,
            ### ESQUELETO:     nn.Conv2d(..., num_classes, kernel_size=1),
            ### ESQUELETO: )
            self.backbone = load_alexnet(pretrained).features

            # Classifier on the 256-channel maps at 1/32 of the input (it replaces AlexNet's FC layers).
            self.classifier = nn.Sequential(
                nn.Conv2d(ALEXNET_CHANNELS[32], 256, kernel_size=3, padding=1),
                nn.ReLU(inplace=True),
                nn.Dropout2d(0.5),
                nn.Conv2d(256, num_classes, kernel_size=1),
            )
            ### END SOLUTION

        if not pretrained:
            initialize_weights(self)

    def forward(self, x):
        height, width = x.shape[-2:]
        if min(height, width) < ALEXNET_MIN_INPUT_SIZE:
            raise ValueError(
                f"FCN_AlexNet needs images of at least {ALEXNET_MIN_INPUT_SIZE}x{ALEXNET_MIN_INPUT_SIZE} pixels "
                f"(AlexNet shrinks them about 32 times); got {height}x{width}"
            )

        if self.skip:
            ### BEGIN SOLUTION: calcule os escores da versão com skip e guarde-os em `output` ([B, num_classes, H, W])
            ### DICA: O caminho é backbone1 -> backbone2; guarde a saída de backbone1 (a parte rasa): você vai usá-la de novo.
            ### DICA: Para concatenar nos canais (`torch.cat(..., dim=1)`) os mapas precisam ter a mesma altura e largura: amplie o mapa profundo com `F.interpolate` (bilinear) até o tamanho do raso; no fim, amplie os escores até (height, width).
            ### ESQUELETO: shallow = ...
            ### ESQUELETO: deep = ...
            ### ESQUELETO: deep = F.interpolate(deep, size=..., mode="bilinear", align_corners=False)
            ### ESQUELETO: scores = self.classifier(...)
            ### ESQUELETO: output = ...
            shallow = self.backbone1(x)  # [B, 64, H/8, W/8] ("8s") or [B, 192, H/16, W/16] ("16s")
            deep = self.backbone2(shallow)  # [B, 256, H/32, W/32]
            deep = F.interpolate(deep, size=shallow.shape[-2:], mode="bilinear", align_corners=False)
            scores = self.classifier(torch.cat([shallow, deep], dim=1))
            output = F.interpolate(scores, size=(height, width), mode="bilinear", align_corners=False)
            ### END SOLUTION
        else:
            ### BEGIN SOLUTION: calcule os escores da versão sem skip e guarde-os em `output` ([B, num_classes, H, W])
            ### DICA: Os escores saem do classificador aplicado às features do backbone: um mapa com 1/32 do tamanho da imagem.
            ### DICA: Para ampliar, use `F.interpolate` com `mode="bilinear"` e `align_corners=False`; o tamanho de saída é o da imagem, (height, width).
            ### ESQUELETO: scores = ...  # [B, num_classes, H/32, W/32]
            ### ESQUELETO: output = F.interpolate(...)
            scores = self.classifier(self.backbone(x))  # [B, num_classes, H/32, W/32]
            output = F.interpolate(scores, size=(height, width), mode="bilinear", align_corners=False)
            ### END SOLUTION

        return output

# %%
checks.check("alexnet-noskip");

# %%
checks.check("alexnet-skip");

# %% [markdown]
# Vamos olhar as duas redes e o tamanho da saída para um lote de imagens do tamanho que vamos usar:

# %%
def thousands(number):
    """An integer with dots between the thousands, as written in Brazil: 3060547 -> '3.060.547'."""
    return f"{number:,}".replace(",", ".")


for skip in (False, True):
    net = FCN_AlexNet(args["n_classes"], pretrained=False, skip=skip)
    with torch.no_grad():
        out = net(torch.zeros(2, 3, args["h_size"], args["w_size"]))
    print(f"skip={skip}: output {tuple(out.shape)}, {thousands(count_parameters(net))} parameters")
print(net)

# %% [markdown]
# ## Exercício 3: otimizador e função de perda
#
# ### O otimizador
#
# Complete `make_optimizer(net, args)` para os **quatro casos** (`pretrained` × `skip`). O caso
# "pré-treinado sem *skip*" já está pronto e serve de modelo:
#
# * sempre **Adam**, com `lr=args["lr"]`, `weight_decay=args["weight_decay"]` e
#   `betas=(args["momentum"], 0.999)` (o "momentum" do curso é o $\beta_1$ do Adam);
# * *backbone* **pré-treinado**: os parâmetros do *backbone* (`net.backbone`, ou `net.backbone1` e
#   `net.backbone2`) num grupo com `lr = args["lr"] * 0.1`; o `net.classifier` com o `lr` normal;
# * **do zero**: todos os parâmetros com o mesmo `lr` (não há conhecimento prévio a preservar).
#
# ### A função de perda
#
# Segmentação é classificação de pixels, então a perda é a **entropia cruzada**, aplicada a cada pixel
# como se ele fosse um exemplo de classificação:
#
# * `make_criterion()` devolve `nn.CrossEntropyLoss(ignore_index=255)`: os pixels *void* não contam;
# * `compute_loss(outputs, labels, criterion)` recebe os escores `[B, C, H, W]` e os rótulos
#   `[B, H, W]`, achata os escores para `[B·H·W, C]` (uma linha por pixel, uma coluna por classe; use
#   `permute` para levar as classes para o fim antes do `reshape`) e os rótulos para `[B·H·W]`, e
#   aplica o critério.
#
# (A `CrossEntropyLoss` do PyTorch também aceita `[B, C, H, W]` diretamente; aqui achatamos para deixar
# explícito que cada pixel é um exemplo, como pedia o curso original.)

# %% tags=["include:solutions/training.py"]
"""Loss and optimiser for training the FCNs (course exercise)."""

from torch import nn, optim


def make_criterion():
    """Cross-entropy over the pixels; void pixels (label 255, object borders) are ignored."""
    ### BEGIN SOLUTION: crie a função de perda da classificação de cada pixel e guarde-a em `criterion`
    ### DICA: Cada pixel é um problema de classificação entre C classes: a perda é a entropia cruzada do PyTorch (`torch.nn`).
    ### DICA: Os pixels de borda têm rótulo 255 ('void') e não devem contar: procure, na documentação dessa perda, o argumento que ignora um rótulo.
    ### ESQUELETO: criterion = nn.CrossEntropyLoss(...)
    criterion = nn.CrossEntropyLoss(ignore_index=255)
    ### END SOLUTION
    return criterion


def compute_loss(outputs, labels, criterion):
    """Loss of a batch: outputs [B, C, H, W] (class scores), labels [B, H, W] (class indices).

    Each pixel is one classification example, so both are flattened: outputs -> [B*H*W, C] and
    labels -> [B*H*W], as in image classification (one row per example, one column per class).
    """
    ### BEGIN SOLUTION: calcule a perda média sobre os pixels do lote e guarde-a em `loss`
    ### DICA: O `criterion` aceita escores [N, C] e rótulos [N]: trate cada pixel do lote como uma amostra (N = B*H*W).
    ### DICA: Leve o eixo das classes para o fim com `permute` antes do `reshape(-1, C)`: um `reshape` direto de [B, C, H, W] misturaria escores de pixels diferentes.
    ### ESQUELETO: num_classes = ...
    ### ESQUELETO: outputs_flat = ...  # [B*H*W, C]
    ### ESQUELETO: labels_flat = ...  # [B*H*W]
    ### ESQUELETO: loss = criterion(..., ...)
    num_classes = outputs.shape[1]
    outputs_flat = outputs.permute(0, 2, 3, 1).reshape(-1, num_classes)  # [B, H, W, C] -> [B*H*W, C]
    labels_flat = labels.reshape(-1)  # [B*H*W]
    loss = criterion(outputs_flat, labels_flat)
    ### END SOLUTION
    return loss


def make_optimizer(net, args):
    """Adam for the four cases of the exercise (pretrained or not, with skip connections or not).

    A pretrained backbone already knows useful features, so it is fine-tuned with a 10x smaller
    learning rate than the new classifier. From scratch, every layer uses args['lr'].
    """
    if args['pretrained']:
        if args['skip']:
            # Skip Connections + pretrained.
            ### BEGIN SOLUTION: crie o Adam da versão com skip e backbone pré-treinado e guarde-o em `optimizer`
            ### DICA: Compare com o caso sem skip logo abaixo: o Adam aceita uma lista de grupos `{'params': ..., 'lr': ...}`, e um grupo sem 'lr' usa o lr geral.
            ### DICA: Aqui as partes pré-treinadas são duas, backbone1 e backbone2, ambas com lr 10 vezes menor; o classifier usa o lr de `args`.
            ### ESQUELETO: optimizer = optim.Adam([{'params': ..., 'lr': ...},
            ### ESQUELETO:                         ...],
            ### ESQUELETO:                        lr=..., weight_decay=..., betas=...)
            optimizer = optim.Adam(
                [
                    {'params': net.backbone1.parameters(), 'lr': args['lr'] * 0.1},
                    {'params': net.backbone2.parameters(), 'lr': args['lr'] * 0.1},
                    {'params': net.classifier.parameters()},
                ],
                lr=args['lr'],
                weight_decay=args['weight_decay'],
                betas=(args['momentum'], 0.999),
            )
            ### END SOLUTION

        else:
            # No Skip Connections + pretrained.
            optimizer = optim.Adam(
                [
                    {'params': net.backbone.parameters(), 'lr': args['lr'] * 0.1},
                    {'params': net.classifier.parameters()},
                ],
                lr=args['lr'],
                weight_decay=args['weight_decay'],
                betas=(args['momentum'], 0.999),
            )
    else:
        if args['skip']:
            # Skip Connections + from scratch.
            ### BEGIN SOLUTION: crie o Adam da rede treinada do zero e guarde-o em `optimizer`
            ### DICA: Do zero não há backbone pré-treinado a preservar: todas as camadas aprendem no mesmo ritmo.
            ### DICA: Um único grupo basta, `net.parameters()`; lr, weight_decay e betas vêm de `args`, como no caso pré-treinado logo acima.
            ### ESQUELETO: optimizer = optim.Adam(..., lr=..., weight_decay=..., betas=...)
            optimizer = optim.Adam(
                net.parameters(), lr=args['lr'], weight_decay=args['weight_decay'], betas=(args['momentum'], 0.999)
            )
            ### END SOLUTION

        else:
            # No Skip Connections + from scratch.
            ### BEGIN SOLUTION: crie o Adam da rede treinada do zero e guarde-o em `optimizer`
            ### DICA: Do zero não há backbone pré-treinado a preservar: todas as camadas aprendem no mesmo ritmo.
            ### DICA: Um único grupo basta, `net.parameters()`; lr, weight_decay e betas vêm de `args`, como no caso pré-treinado logo acima.
            ### ESQUELETO: optimizer = optim.Adam(..., lr=..., weight_decay=..., betas=...)
            optimizer = optim.Adam(
                net.parameters(), lr=args['lr'], weight_decay=args['weight_decay'], betas=(args['momentum'], 0.999)
            )
            ### END SOLUTION

    return optimizer

# %%
checks.check("optimizer");

# %%
checks.check("loss");

# %% [markdown]
# Antes de gastar épocas de treino, um teste rápido com as suas três peças juntas (modelo, otimizador e
# perda): algumas iterações num único lote fácil, em que a perda precisa cair.

# %%
checks.check("training");

# %% [markdown]
# ## Treinamento
#
# ### A rede
#
# Criamos a rede com as configurações de `args` (no perfil `full`: pré-treinada, com *skip*).
#
# Com `pretrained=True`, a biblioteca precisa dos pesos do ImageNet da AlexNet
# (`alexnet-owt-7be5be79.pth`, cerca de 230 MB). Ela procura, nesta ordem: na pasta (ou arquivo)
# indicada pela variável de ambiente `FCN_COURSE_WEIGHTS`; no cache do *torch hub*
# (`~/.cache/torch/hub/checkpoints/`); e, por último, tenta baixá-los. Se nada der certo, você verá um
# `PretrainedWeightsError` listando o que foi tentado e onde colocar o arquivo. Sem internet, basta
# copiar o arquivo para uma dessas pastas (ou usar `pretrained=False`, sabendo que a mIoU será menor).
# A biblioteca **nunca** troca, sem avisar, pesos pré-treinados por pesos aleatórios.

# %%
seed_everything(args["seed"])
net = FCN_AlexNet(args["n_classes"], pretrained=args["pretrained"], skip=args["skip"]).to(args["device"])
print(f"FCN_AlexNet(pretrained={args['pretrained']}, skip={args['skip']}): "
      f"{thousands(count_parameters(net))} parameters on {args['device']}")

# %% [markdown]
# ### Otimizador, perda e o laço de treino
#
# O laço de épocas fica em `fcn_course.engine.fit`. Ele é a dupla `train()`/`validate()` do curso
# original, reescrita para que os números sejam confiáveis: uma matriz de confusão por época (notebook
# 01), pixels *void* ignorados, parada com explicação se a perda virar `NaN`, *checkpoints* e precisão
# mista (*mixed precision*) na GPU. O que ele **não** faz é o seu trabalho: ele recebe a sua rede, o seu
# otimizador e uma função `loss_fn(outputs, labels)` feita com a sua `compute_loss`.
#
# Em `run_dir` ficam o histórico (`history.json`) e os *checkpoints* `last.pt` (para continuar um treino
# interrompido: chame `fit(..., resume=True)` com o mesmo `run_dir`) e `best.pt` (os pesos da época com a
# melhor mIoU de validação). A cada `show_freq` épocas, `fit` mostra as predições no primeiro lote de
# validação.

# %% [markdown]
# ### Como ler o que o treino imprime
#
# Para cada época, uma linha de treino e uma de validação, como no curso original:
#
# * **perda média ± desvio-padrão** (`loss … +/- …`): a média da perda sobre os lotes da época, e
#   quanto ela variou de um lote para outro. A perda de treino deve cair; se a de validação parar de
#   cair (ou subir) enquanto a de treino continua caindo, a rede começou a decorar o treino
#   (*overfitting*).
# * **mIoU(fg)**: a mIoU **sem o fundo** (ônibus e pessoa), calculada com uma única matriz de confusão
#   sobre todos os pixels da época, como vimos no notebook 01. É o número principal; a de validação é a
#   que vale.
# * **tempo** (`time`): segundos gastos na época (útil para estimar quanto vão durar as 50 épocas).
#
# No fim, `fit` informa a melhor mIoU(fg) de validação e em que época ela ocorreu. O histórico guarda
# também, por época, a mIoU com o fundo, a IoU e o Dice de cada classe e a acurácia de pixels.

# %%
optimizer = make_optimizer(net, args)
criterion = make_criterion()


def loss_fn(outputs, labels):
    """The loss the engine calls on every batch."""
    return compute_loss(outputs, labels, criterion)


run_dir = Path(args["runs_dir"]) / runs.run_name("alexnet", args["skip"], args["pretrained"])
print("run folder:", run_dir.resolve())

tic = time.perf_counter()
history = fit(net, train_loader, val_loader, loss_fn, optimizer, args, run_dir=run_dir,
              show=plots.show_epoch_predictions(args["classes"]))
print(f"training took {time.perf_counter() - tic:.0f} s")

# %% [markdown]
# **O que esperar.** No perfil `demo` (VOC sintético, 12 épocas, do zero), a melhor mIoU(fg) de
# validação medida numa CPU de 2 núcleos ficou entre 0,716 e 0,724 em três sementes (com a semente 0,
# a melhor época foi a 11ª de 12). As predições da última figura já parecem segmentações: ônibus inteiros, pessoas
# separadas. A célula depois das curvas imprime as duas medidas do seu treino, a da **última** época e
# a da **melhor**; o notebook 04 explica por que a melhor é otimista. No `smoke` (2 épocas), os números
# servem só para ver que tudo funciona. No VOC real (perfil `full`, pré-treinada), espere uma curva
# parecida mas números diferentes, que este curso ainda não mediu.

# %%
plots.plot_history(history)

# %%
last = history.val[-1]
print(f"validation after epoch {last['epoch']}:")
print(f"  mIoU (fg) {last['miou_fg']:.4f} | mIoU (all) {last['miou']:.4f} | pixel accuracy {last['pixel_acc']:.4f}")
for name, iou, dice in zip(args["classes"], last["iou"], last["dice"]):
    print(f"  {name:<12} IoU {iou:.4f}  Dice {dice:.4f}")
print(f"best validation mIoU (fg): {history.best_miou():.4f} at epoch {history.best_epoch()}")

# %% [markdown]
# ### Predições
#
# Por fim, as predições da rede treinada no primeiro lote de validação: imagem, predição e rótulo
# verdadeiro (*void* em bege).

# %%
images, labels = next(iter(val_loader))
net.eval()
with torch.no_grad():
    outputs = net(images.to(args["device"]))
plots.show_predictions(images, outputs.argmax(dim=1).cpu(), labels, classes=args["classes"])

# %% [markdown]
# ## Desafio (opcional, extra): o menor tamanho de entrada
#
# Para quem quiser ir além: o desafio não vale nota, e o resto do notebook roda sem ele.
#
# A FCN-AlexNet recusa imagens com menos de 63 pixels de lado. De onde vem esse número? Escreva
# `min_input_size(features)`: ela recebe um `nn.Sequential` de camadas (como `models.alexnet().features`) e
# devolve o **menor lado** $n$ de uma entrada $n\times n$ para o qual toda camada produz uma saída não
# vazia. Faça a conta com a fórmula do tamanho, sem rodar a rede: uma camada com *kernel* $k$, *stride*
# $s$, *padding* $p$ e dilatação $d$ transforma um lado $n$ em $\lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1$,
# e a saída é vazia quando $n + 2p < d(k-1) + 1$. A verificação usa as `features` da AlexNet e da VGG16 e
# uma rede de teste com *padding* e dilatação.
#
# Para ir além: por que uma imagem de 63 pixels produz um mapa de só $1\times1$ no pool5, se o campo
# receptivo de uma posição do pool5 é de 195 pixels?

# %%
def min_input_size(features):
    """The smallest side n of an n x n input for which every Conv2d and MaxPool2d of `features` gives a
    non-empty output (the size formula, without running the network)."""
    ### BEGIN SOLUTION: percorra as camadas da última para a primeira, calculando o menor lado que cada uma precisa receber
    ### DICA: Comece do fim: a última camada precisa produzir pelo menos 1 posição. Qual o menor lado de entrada que dá uma saída de lado m?
    ### DICA: Invertendo a fórmula: para produzir lado m, a camada precisa de uma entrada de lado (m − 1)·s + d·(k − 1) + 1 − 2p (e nunca menos que 1). Aplique isso camada a camada, de trás para a frente, com a função `first` da seção de *stride*.
    ### ESQUELETO: side = 1
    ### ESQUELETO: layers = ...  # só as Conv2d e MaxPool2d mudam o tamanho
    ### ESQUELETO: for ...:  # da última camada para a primeira
    ### ESQUELETO:     kernel, step = ...
    ### ESQUELETO:     padding, dilation = ...
    ### ESQUELETO:     side = ...
    ### ESQUELETO: return ...
    side = 1  # the last layer must give at least one position
    layers = [layer for layer in features if isinstance(layer, (nn.Conv2d, nn.MaxPool2d))]
    for layer in reversed(layers):
        kernel, step = first(layer.kernel_size), first(layer.stride)
        padding, dilation = first(layer.padding), first(layer.dilation)
        side = max(1, (side - 1) * step + dilation * (kernel - 1) + 1 - 2 * padding)
    return side
    ### END SOLUTION


# %%
checks.check("min-input-size");

# %% [markdown]
# ## Convolução transposta: ampliar com pesos
#
# Até aqui, todo *upsampling* do curso foi `F.interpolate`, uma operação sem pesos. O exercício 4 troca
# uma dessas interpolações por uma camada que tem pesos, a **convolução transposta**
# (`nn.ConvTranspose2d`). Antes, vamos ver o que ela calcula, com números pequenos o bastante para
# conferir à mão.
#
# ### Um exemplo feito à mão
#
# A regra, para um *kernel* $k\times k$ e *stride* $s$, sem *padding*: cada pixel $x_{ij}$ da entrada
# deixa na saída um "carimbo", uma cópia do *kernel* multiplicada por $x_{ij}$, com o canto de cima à
# esquerda na posição $(s\,i,\ s\,j)$. Onde dois carimbos caem no mesmo pixel, os valores se somam.
#
# Tome a entrada $2\times2$, o *kernel* $3\times3$ e o *stride* abaixo:
#
# $$ X = \begin{bmatrix} 1 & 2\\ 3 & 4 \end{bmatrix}, \qquad
#    K = \begin{bmatrix} 0 & 1 & 0\\ 1 & 2 & 1\\ 0 & 1 & 0 \end{bmatrix}, \qquad s = 2. $$
#
# Os quatro carimbos são $1\cdot K$ nas linhas 0 a 2 e colunas 0 a 2, $2\cdot K$ nas linhas 0 a 2 e
# colunas 2 a 4, $3\cdot K$ nas linhas 2 a 4 e colunas 0 a 2, e $4\cdot K$ nas linhas 2 a 4 e colunas 2
# a 4. A saída tem, portanto, $5\times5$ pixels. Como $k = 3$ é maior que $s = 2$, os carimbos vizinhos
# se sobrepõem na linha 2 e na coluna 2:
#
# * o pixel (1, 2) fica na última coluna do carimbo de $x_{00} = 1$ (peso $K_{1,2} = 1$) e na primeira
#   do carimbo de $x_{01} = 2$ (peso $K_{1,0} = 1$): $1\cdot1 + 2\cdot1 = 3$;
# * pela mesma conta, o pixel (3, 2) vale $3 + 4 = 7$, o (2, 1) vale $1 + 3 = 4$ e o (2, 3) vale
#   $2 + 4 = 6$;
# * o pixel central (2, 2) é um canto dos quatro carimbos, e os cantos de $K$ valem 0: a soma é 0.
#
# Os demais pixels recebem um carimbo só; por exemplo, o (1, 1) vale $1\cdot K_{1,1} = 2$ e o (3, 3)
# vale $4\cdot K_{1,1} = 8$. O resultado:
#
# $$ Y = \begin{bmatrix} 0 & 1 & 0 & 2 & 0\\ 1 & 2 & 3 & 4 & 2\\ 0 & 4 & 0 & 6 & 0\\
#                         3 & 6 & 7 & 8 & 4\\ 0 & 3 & 0 & 4 & 0 \end{bmatrix}. $$
#
# A célula abaixo faz a mesma conta com `F.conv_transpose2d` e com uma camada `nn.ConvTranspose2d`
# (na camada, o peso tem a forma `[canais de entrada, canais de saída, k, k]`).

# %%
# NBVAL_CHECK_OUTPUT
def print_grid(name, tensor):
    """Print a small 2-D map [1, 1, H, W] as rows of integers."""
    print(name)
    for row in tensor[0, 0].round().int().tolist():
        print("   ", " ".join(f"{value:3d}" for value in row))


small_input = torch.tensor([[1.0, 2.0],
                            [3.0, 4.0]]).view(1, 1, 2, 2)
small_kernel = torch.tensor([[0.0, 1.0, 0.0],
                             [1.0, 2.0, 1.0],
                             [0.0, 1.0, 0.0]]).view(1, 1, 3, 3)

stamped = F.conv_transpose2d(small_input, small_kernel, stride=2)
print_grid("F.conv_transpose2d(X, K, stride=2):", stamped)

layer = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, bias=False)
with torch.no_grad():
    layer.weight.copy_(small_kernel)
    print("the nn.ConvTranspose2d layer gives the same map:", torch.equal(layer(small_input), stamped))

# %% [markdown]
# ### O tamanho da saída
#
# Ao longo de um eixo, o último carimbo começa na posição $(n_{in} - 1)\,s$ e ocupa $k$ pixels. Sem
# *padding*, então, a saída tem $(n_{in} - 1)\,s + k$ pixels: no exemplo, $(2 - 1)\cdot 2 + 3 = 5$.
# Na convolução transposta, o `padding` $p$ não acrescenta zeros: ele **recorta** $p$ pixels de cada
# lado dessa saída completa. Já o `output_padding` acrescenta pixels num lado só (embaixo e à direita).
# Juntando tudo (é a fórmula da documentação do PyTorch, com dilatação 1):
#
# $$ n_{out} = (n_{in} - 1)\,s - 2p + k + \texttt{output\_padding}. $$
#
# Para que serve o `output_padding`? Uma convolução com *stride* maior que 1 leva tamanhos diferentes
# ao mesmo tamanho: com $k = 3$, $s = 2$ e $p = 1$, entradas de 5 e de 6 pixels viram 3. A transposta,
# que faz o caminho de volta, precisa saber qual dos dois tamanhos você quer: sem `output_padding`,
# $(3 - 1)\cdot2 - 2 + 3 = 5$; com `output_padding=1`, 6.
#
# No caso das FCNs, o objetivo é ampliar exatamente $s$ vezes. Com $s$ par, *kernel* $k = 2s$ e
# $p = s/2$, a fórmula dá $(n_{in} - 1)\,s - s + 2s = s\,n_{in}$: é a camada que conferimos contra
# `F.interpolate` na seção da interpolação bilinear ($k = 4$, $s = 2$, $p = 1$: de 8 para 16 pixels). No
# exercício 4 você vai usar a fórmula também para um fator ímpar.

# %%
# NBVAL_CHECK_OUTPUT
def transposed_output_size(n_in, kernel, stride, padding=0, output_padding=0):
    """Side of the output of a transposed convolution (dilation 1), as in PyTorch's documentation."""
    return (n_in - 1) * stride - 2 * padding + kernel + output_padding


for n_in, kernel, stride, padding, output_padding in [(2, 3, 2, 0, 0), (2, 3, 2, 1, 0), (3, 3, 2, 1, 0),
                                                      (3, 3, 2, 1, 1), (8, 4, 2, 1, 0)]:
    measured = F.conv_transpose2d(torch.ones(1, 1, n_in, n_in), torch.ones(1, 1, kernel, kernel),
                                  stride=stride, padding=padding, output_padding=output_padding)
    print(f"n_in={n_in} k={kernel} s={stride} p={padding} output_padding={output_padding}: "
          f"formula {transposed_output_size(n_in, kernel, stride, padding, output_padding)}, "
          f"PyTorch {measured.shape[-1]}")

for n_in in (5, 6):
    shrunk = F.conv2d(torch.ones(1, 1, n_in, n_in), torch.ones(1, 1, 3, 3), stride=2, padding=1)
    print(f"the convolution k=3 s=2 p=1 takes {n_in} pixels to {shrunk.shape[-1]}")

print_grid("padding=1 crops one pixel from each side of Y:",
           F.conv_transpose2d(small_input, small_kernel, stride=2, padding=1))

# %% [markdown]
# ### Por que "transposta": a convolução como uma matriz
#
# Uma convolução é uma operação linear, e toda operação linear é a multiplicação por uma matriz. Numa
# dimensão, com *kernel* $w = (w_0, w_1, w_2)$ e *stride* 2, uma entrada de 5 números vira uma saída de
# 2, com $y_0 = w_0 x_0 + w_1 x_1 + w_2 x_2$ e $y_1 = w_0 x_2 + w_1 x_3 + w_2 x_4$. Em forma de matriz:
#
# $$ y = C\,x, \qquad C = \begin{bmatrix} w_0 & w_1 & w_2 & 0 & 0\\ 0 & 0 & w_0 & w_1 & w_2 \end{bmatrix}. $$
#
# A matriz $C$ tem forma $2\times5$: **reduz** 5 números a 2. A transposta $C^\top$ tem forma $5\times2$
# e faz o caminho contrário, de 2 números para 5. Cada coluna de $C^\top$ é o *kernel* deslocado de 2
# posições, ou seja, $C^\top y$ é a soma dos carimbos $y_0\,w$ e $y_1\,w$: exatamente a regra do exemplo
# acima. Daí o nome: com o mesmo *kernel* e o mesmo *stride*, a convolução transposta multiplica por
# $C^\top$ (é o ponto de vista do livro *Dive into Deep Learning*, §14.10,
# <https://d2l.ai/chapter_computer-vision/transposed-conv.html>).
#
# Dois cuidados:
#
# * $C^\top$ devolve o **tamanho** da entrada da convolução, não os **valores**: em geral $C^\top C\,x \ne
#   x$. O nome "deconvolução" (*deconvolution*), que o artigo das FCNs também usa (§3.3), engana: esta
#   camada não desfaz uma convolução.
# * Multiplicar por $C^\top$ é também o que o *backward* de uma convolução faz para levar o gradiente da
#   saída até a entrada. O artigo chama a operação de *backwards convolution* por isso.
#
# A célula abaixo monta $C$ coluna a coluna (a coluna $j$ é a convolução aplicada ao vetor que tem 1 na
# posição $j$ e 0 no resto) e confere as duas afirmações; depois faz o mesmo com o exemplo 2-D acima.

# %%
# NBVAL_CHECK_OUTPUT
def convolution_matrix(conv, input_shape):
    """The matrix C of a linear map `conv` (a function of one tensor): column j is conv(e_j), flattened."""
    size = torch.Size(input_shape).numel()
    basis = torch.eye(size).view(size, *input_shape)  # e_0, e_1, ... as inputs of shape input_shape
    return torch.stack([conv(e).flatten() for e in basis], dim=1)


w_1d = torch.tensor([1.0, 2.0, 3.0]).view(1, 1, 3)
C = convolution_matrix(lambda e: F.conv1d(e.view(1, 1, -1), w_1d, stride=2), (5,))
print("C (2x5):", C.int().tolist())

y_1d = torch.tensor([1.0, 10.0])
transposed_1d = F.conv_transpose1d(y_1d.view(1, 1, 2), w_1d, stride=2).flatten()
print("C^T y:                        ", (C.T @ y_1d).int().tolist())
print("F.conv_transpose1d(y, w, s=2):", transposed_1d.int().tolist())

# The gradient that flows back through the convolution is C^T times the gradient of its output.
x_1d = torch.randn(5, requires_grad=True)
(F.conv1d(x_1d.view(1, 1, 5), w_1d, stride=2).flatten() * y_1d).sum().backward()
print("backward of conv1d is C^T y too:", torch.allclose(x_1d.grad, C.T @ y_1d))

# The same in 2-D: the convolution (k=3, stride 2) maps 5x5 to 2x2, so C is 4x25.
C2 = convolution_matrix(lambda e: F.conv2d(e.view(1, 1, 5, 5), small_kernel, stride=2), (5, 5))
print("2-D example: C is", tuple(C2.shape), "and C^T X equals Y:",
      torch.equal((C2.T @ small_input.flatten()).view(1, 1, 5, 5), stamped))

# %% [markdown]
# ## Exercício 4: *upsampling* aprendido
#
# Até aqui, a rede amplia os mapas com `F.interpolate(..., mode="bilinear")`, uma operação **fixa**: não
# tem pesos. O artigo das FCNs usa a **convolução transposta** da seção anterior (`nn.ConvTranspose2d`),
# com *stride* $s$, que amplia o mapa $s$ vezes e *tem* pesos (§3.3). Se o *kernel* for uma "tenda"
# bilinear, ela faz a interpolação bilinear (longe das bordas); se os pesos forem treinados, a
# ampliação pode aprender a respeitar as bordas dos objetos. No artigo, as ampliações intermediárias de 2× começam bilineares e
# são aprendidas, e a última ampliação (até o tamanho da imagem) fica fixa (§4.2).

# %% [markdown]
# **Previsão (antes de rodar).** Uma convolução transposta com *kernel* $k$ e *stride* $s$ copia cada
# pixel de entrada, multiplicado pelo *kernel*, numa janela $k\times k$ da saída; janelas de pixels
# vizinhos ficam a $s$ pixels uma da outra e se sobrepõem. A figura abaixo aplica três camadas com
# *stride* 2 a uma imagem **constante**: (a) o *kernel* bilinear $4\times4$; (b) um *kernel* $3\times3$
# com todos os pesos iguais; (c) um *kernel* $4\times4$ sorteado ao acaso. Quais delas você espera que
# devolvam uma imagem constante, e por quê? Escreva a sua previsão na célula abaixo e só então rode a
# figura.

# %% [markdown]
# ### BEGIN SOLUTION
# Só a (a). Cada pixel da saída soma alguns pesos do *kernel*, e quais pesos depende da posição do
# pixel dentro do período de $s$ pixels (a sua "fase"). A saída é constante só quando essas somas são
# iguais para todas as fases. Na (b), com $k = 3$ e $s = 2$, uma fase recebe dois pesos e a outra um:
# sobreposição desigual, xadrez. Na (c), cada fase recebe dois pesos, mas pesos sorteados quase nunca
# somam o mesmo: xadrez também. A tenda bilinear foi feita para que as somas sejam iguais.
# ### END SOLUTION

# %%
plots.checkerboard_demo(factor=2)

# %% [markdown]
# Compare com a sua previsão. O *kernel* bilinear mantém a imagem constante; os outros dois produzem o
# **padrão de xadrez** (*checkerboard artifacts*): uma textura periódica que não existe na imagem.
#
# A conta por trás, numa dimensão: com entrada constante igual a 1, longe das bordas, o pixel de saída
# na fase $p$ ($p = 0, \dots, s-1$) recebe a soma dos pesos $w_p + w_{p+s} + w_{p+2s} + \dots$ do
# *kernel*. A saída é constante quando essa soma é a mesma em todas as fases. Há dois jeitos de falhar:
#
# * **sobreposição desigual**: quando $k$ não é múltiplo de $s$, as fases recebem números diferentes de
#   pesos. O *kernel* uniforme (b) dá soma 2 numa fase e 1 na outra;
# * **pesos desiguais**: mesmo com $k$ múltiplo de $s$, um *kernel* qualquer, como o sorteado (c) ou um
#   aprendido no treino, não tem por que somar o mesmo em cada fase.
#
# A tenda bilinear de tamanho $2s$ soma o mesmo em todas as fases, e a de tamanho $2s-1$ também. Ou
# seja, "$k$ múltiplo de $s$" não é a regra: o que importa é a soma por fase. A célula abaixo faz a conta
# para uma linha de cada *kernel*. É a análise de Odena, Dumoulin e Olah, *Deconvolution and
# Checkerboard Artifacts* (Distill, 2016, <https://distill.pub/2016/deconv-checkerboard/>).

# %%
def tent(size, stride):
    """1-D bilinear weights (a "tent") of a kernel with `size` taps that upsamples `stride` times.

    `bilinear_kernel` builds its 2-D kernel as this tent times itself (rows x columns).
    """
    center = (size - 1) / 2
    return torch.tensor([1 - abs(i - center) / stride for i in range(size)])


def phase_sums(taps, stride):
    """Sum of the kernel taps that land on each output phase, for a constant 1-D input (away from the borders)."""
    return [round(float(taps[phase::stride].sum()), 3) for phase in range(stride)]


torch.manual_seed(0)
for name, taps, stride in [("(a) bilinear, k=4, s=2", tent(4, 2), 2),
                           ("(b) uniform, k=3, s=2", torch.ones(3), 2),
                           ("(c) random, k=4, s=2", torch.rand(4), 2),
                           ("bilinear, k=5, s=3", tent(5, 3), 3),
                           ("bilinear, k=6, s=3", tent(6, 3), 3)]:
    print(f"{name:<23} taps {[round(float(t), 2) for t in taps]} -> sum per phase {phase_sums(taps, stride)}")


# %% [markdown]
# Por isso a camada começa bilinear, com o tamanho certo de *kernel*. Um detalhe que o artigo não
# precisa (os fatores dele são pares): para um fator ímpar, o *kernel* $2s$ dá um pixel a mais na saída;
# o tamanho que funciona para qualquer fator é `2 * s - s % 2`, com `padding = s // 2`.
#
# **O exercício.** Complete `make_upsampler(channels, factor, learnable)`: uma `nn.ConvTranspose2d` sem
# viés, com o peso copiado de `bilinear_kernel` e `requires_grad` igual a `learnable`. A função
# `with_learned_upsampling(FCN_AlexNet, learnable)` (já pronta) troca, na sua FCN-AlexNet com *skip*
# `"8s"`, a interpolação das *features* do pool5 (×4, de 1/32 para 1/8) por essa camada; a ampliação
# final continua fixa, como no artigo. O notebook 04 compara as versões aprendida e congelada com a
# interpolação fixa.

# %% tags=["include:solutions/upsampling.py"]
"""Learned upsampling (course exercise): a transposed convolution that starts as bilinear interpolation."""

import torch
import torch.nn.functional as F
from torch import nn

from fcn_course.backbones import ALEXNET_CHANNELS, bilinear_kernel


def make_upsampler(channels, factor, learnable):
    """A ConvTranspose2d that makes maps `factor` times larger and starts as bilinear interpolation.

    Kernel 2*factor for an even factor and 2*factor - 1 for an odd one, stride factor, padding factor // 2,
    no bias; the weight comes from `bilinear_kernel` (channel i feeds only channel i). With
    `learnable=False` the weight is frozen (requires_grad=False): a fixed bilinear layer.
    """
    ### BEGIN SOLUTION: crie a camada que amplia os mapas `factor` vezes e começa como interpolação bilinear; guarde-a em `upsampler`
    ### DICA: A camada que aprende a ampliar é a convolução transposta, `nn.ConvTranspose2d`, com `channels` canais na entrada e na saída e sem bias. Para ampliar `factor` vezes, qual deve ser o stride?
    ### DICA: Tamanho de saída: (entrada - 1)*stride - 2*padding + kernel. Com o padding da docstring, verifique à mão, para factor = 2 e factor = 3, qual kernel dá exatamente factor*entrada, e escreva o kernel como uma expressão de `factor` que sirva para os dois casos.
    ### DICA: O peso inicial vem de `bilinear_kernel` (veja a docstring dela); copiar para um parâmetro exige `torch.no_grad()`, e `learnable` decide se o peso recebe gradiente.
    ### ESQUELETO: kernel_size = ...  # par: 2*factor; ímpar: 2*factor - 1
    ### ESQUELETO: upsampler = nn.ConvTranspose2d(channels, channels, kernel_size=kernel_size, stride=..., padding=..., bias=False)
    ### ESQUELETO: with torch.no_grad():
    ### ESQUELETO:     upsampler.weight.copy_(...)
    ### ESQUELETO: upsampler.weight.requires_grad_(...)
    kernel_size = 2 * factor - factor % 2
    upsampler = nn.ConvTranspose2d(
        channels, channels, kernel_size=kernel_size, stride=factor, padding=factor // 2, bias=False
    )
    with torch.no_grad():
        upsampler.weight.copy_(bilinear_kernel(channels, channels, kernel_size))
    upsampler.weight.requires_grad_(learnable)
    ### END SOLUTION
    return upsampler


def fit_to_size(x, size):
    """Crop (centre) or pad (repeating the border) `x` [B, C, h, w] to `size` = (H, W).

    A stride-32 map times 4 is not always exactly the size of the stride-8 map (AlexNet's borders), so the
    upsampled map is trimmed or completed by a few pixels, as the FCN paper crops its upsampled scores.
    """
    for axis, target in ((2, size[0]), (3, size[1])):
        extra = x.shape[axis] - target
        if extra > 0:
            x = x.narrow(axis, extra // 2, target)
        elif extra < 0:
            before, after = -extra // 2, -extra - (-extra // 2)
            padding = (before, after, 0, 0) if axis == 3 else (0, 0, before, after)
            x = F.pad(x, padding, mode="replicate")
    return x


def with_learned_upsampling(fcn_class, learnable=True):
    """An FCN class like `fcn_class` (skip "8s" on AlexNet) whose deep features are upsampled by
    `make_upsampler` (x4: from stride 32 to stride 8) instead of `F.interpolate`.

    The final upsampling of the class scores stays fixed bilinear interpolation, as in the FCN paper.
    """

    class FCNWithTransposedConv(fcn_class):
        def __init__(self, num_classes, pretrained=False, skip="8s"):
            super().__init__(num_classes, pretrained=pretrained, skip=skip)
            if self.skip != "8s":
                raise ValueError("the learned-upsampling variant is written for skip='8s' (pool5 -> pool1, x4)")
            self.upsample_deep = make_upsampler(ALEXNET_CHANNELS[32], 4, learnable)

        def forward(self, x):
            shallow = self.backbone1(x)
            deep = fit_to_size(self.upsample_deep(self.backbone2(shallow)), shallow.shape[-2:])
            scores = self.classifier(torch.cat([shallow, deep], dim=1))
            return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)

    FCNWithTransposedConv.__name__ = f"{fcn_class.__name__}_{'Learned' if learnable else 'Frozen'}Upsampling"
    return FCNWithTransposedConv


# %%
checks.check("upsampler");

# %%
for learnable in (False, True):
    variant = with_learned_upsampling(FCN_AlexNet, learnable)(args["n_classes"], skip="8s")
    trainable = count_parameters(variant, trainable_only=True) - count_parameters(
        FCN_AlexNet(args["n_classes"], skip="8s"), trainable_only=True)
    print(f"{type(variant).__name__}: +{thousands(trainable)} trainable parameters beyond FCN_AlexNet(skip='8s')")

# %% [markdown]
# **Pergunta de reflexão A (responda antes de ver o notebook 04).** A camada aprendida tem
# 256 × 256 × 8 × 8 ≈ 4,2 milhões de pesos **treináveis** a mais que a congelada (a congelada tem os
# mesmos pesos, mas eles não mudam), e começa igual a ela. Você espera que ela melhore a mIoU de
# validação, piore ou não mude, com poucas centenas de imagens de treino? Por quê?

# %% [markdown] tags=["points:4"]
# ### BEGIN SOLUTION
# Resposta aberta; o que se avalia é o argumento (veja `solutions/rubric.md`). Um bom argumento: a camada
# começa bilinear, então no início nada muda; ela só pode se afastar da interpolação se o gradiente
# pedir. Com poucos dados, os 4,2 milhões de pesos novos (um *kernel* cheio ligando cada um dos 256
# canais de entrada a cada um dos 256 de saída) podem se ajustar ao treino sem ganho na validação. O
# artigo não mede essa escolha em separado; o repositório dos autores diz, nas perguntas frequentes,
# que aprender ou fixar os *kernels* bilineares não fez diferença significativa de acurácia. Mas lá há
# um *kernel* por classe, sem misturar canais; com mais canais misturados, o resultado pode ser outro.
# ### END SOLUTION

# %% [markdown]
# ## Exercício 5: classes desequilibradas
#
# No notebook 01 você viu que o fundo ocupa a grande maioria dos pixels. Com a entropia cruzada comum,
# cada pixel pesa o mesmo, então a rede é recompensada sobretudo por acertar o fundo. Dois remédios
# comuns:
#
# * **entropia cruzada ponderada**: cada classe recebe um peso $w_c$ (`nn.CrossEntropyLoss(weight=...)`).
#   Com o *balanceamento pela mediana das frequências* (*median frequency balancing*, de Eigen e Fergus,
#   2015, [arXiv:1411.4734](https://arxiv.org/abs/1411.4734); a SegNet também o usa),
#   $w_c = \text{mediana}(f)/f_c$, em que $f_c$ é a fração dos pixels de treino da classe $c$: as classes
#   raras pesam mais que 1, as comuns menos;
# * **perda de Dice**: $1 - \frac{1}{C}\sum_c \frac{2\sum p_c g_c}{\sum p_c + \sum g_c}$, com $p_c$ a
#   probabilidade prevista (*softmax*) e $g_c$ o rótulo em *one-hot*. Cada classe entra na média com o
#   mesmo peso, seja qual for o seu tamanho. A V-Net (Milletari, Navab e Ahmadi, 2016,
#   [arXiv:1606.04797](https://arxiv.org/abs/1606.04797)), que popularizou essa perda, soma os quadrados
#   $p_c^2$ e $g_c^2$ no denominador; a forma sem quadrados, usada aqui, também é comum.
#
# Uma informação para ter em mente: os autores das FCNs testaram o balanceamento de classes e relataram
# que ele não foi necessário para eles (o fundo ocupa cerca de 3/4 dos pixels do VOC; §4.3, "Class
# Balancing"). O notebook 04 mede o efeito no nosso subconjunto.

# %% [markdown]
# ### Exemplo: pesos pela mediana das frequências, com 3 classes
#
# Suponha que o conjunto de treino tenha 10.000 pixels rotulados (os *void* não entram na conta): 7.000
# de fundo, 2.000 de ônibus e 1.000 de pessoa. O caminho é contagens → frequências → mediana → pesos:
#
# 1. **frequências** $f_c$: cada contagem dividida pelo total, $f = (0{,}7;\ 0{,}2;\ 0{,}1)$;
# 2. **mediana** das frequências: ordenadas, elas ficam $0{,}1 \le 0{,}2 \le 0{,}7$, e a do meio é
#    $0{,}2$;
# 3. **pesos** $w_c = 0{,}2 / f_c$: fundo $0{,}2/0{,}7 \approx 0{,}286$; ônibus $0{,}2/0{,}2 = 1$;
#    pessoa $0{,}2/0{,}1 = 2$.
#
# A classe de frequência mediana fica com peso 1, a comum com menos de 1 e a rara com mais de 1. Repare
# no produto peso × contagem: $0{,}286 \cdot 7000 \approx 2000$, $1 \cdot 2000 = 2000$ e
# $2 \cdot 1000 = 2000$. Com esses pesos, cada classe contribui com o mesmo peso total para a perda,
# como se todas tivessem a frequência mediana. Depois do exercício, `class_weights([7000, 2000, 1000])`
# deve devolver esses três pesos.

# %%
# NBVAL_CHECK_OUTPUT
example_counts = {"background": 7000, "bus": 2000, "person": 1000}
example_total = sum(example_counts.values())
example_freq = {name: count / example_total for name, count in example_counts.items()}
example_median = sorted(example_freq.values())[len(example_freq) // 2]  # 3 classes: the middle one
print(f"total {example_total} labelled pixels; median frequency {example_median:.3f}")
for name, count in example_counts.items():
    weight = example_median / example_freq[name]
    print(f"{name:<12} count {count:5d}  freq {example_freq[name]:.3f}  weight {weight:.3f}"
          f"  weight x count {weight * count:6.0f}")

# %% [markdown]
# ### Exemplo: a perda de Dice numa imagem $2\times2$, com um pixel *void*
#
# Uma imagem de 4 pixels e 3 classes (0 fundo, 1 ônibus, 2 pessoa). Os rótulos e as probabilidades que
# a rede prevê (depois do *softmax*) em cada pixel:
#
# | pixel | rótulo | $p_0$ | $p_1$ | $p_2$ |
# |---|---|---|---|---|
# | (0, 0) | 0 | 0,8 | 0,1 | 0,1 |
# | (0, 1) | 1 | 0,2 | 0,6 | 0,2 |
# | (1, 0) | 2 | 0,1 | 0,3 | 0,6 |
# | (1, 1) | 255 (*void*) | 0,5 | 0,25 | 0,25 |
#
# O pixel *void* sai de **todas** as somas, tanto das probabilidades quanto do *one-hot*. Sobram 3
# pixels, e para cada classe calculamos três números:
#
# * **fundo**: $\sum p_0 g_0 = 0{,}8$ (só o pixel (0, 0) tem rótulo 0); $\sum p_0 = 0{,}8 + 0{,}2 +
#   0{,}1 = 1{,}1$; $\sum g_0 = 1$. Dice $= 2\cdot0{,}8 / (1{,}1 + 1) = 1{,}6/2{,}1 \approx 0{,}762$;
# * **ônibus**: $\sum p_1 g_1 = 0{,}6$; $\sum p_1 = 0{,}1 + 0{,}6 + 0{,}3 = 1{,}0$; $\sum g_1 = 1$.
#   Dice $= 1{,}2/2{,}0 = 0{,}600$;
# * **pessoa**: $\sum p_2 g_2 = 0{,}6$; $\sum p_2 = 0{,}1 + 0{,}2 + 0{,}6 = 0{,}9$; $\sum g_2 = 1$.
#   Dice $= 1{,}2/1{,}9 \approx 0{,}632$.
#
# A média das três é $(0{,}762 + 0{,}600 + 0{,}632)/3 \approx 0{,}664$, e a perda é
# $1 - 0{,}664 \approx 0{,}336$. Se o pixel *void* entrasse como fundo, ele somaria 0,5 à interseção do
# fundo e as suas probabilidades aumentariam os denominadores das três classes: a perda mudaria por
# causa de um pixel sem rótulo verdadeiro.
#
# A célula abaixo refaz a conta com listas do Python. Depois de escrever `dice_loss` no exercício,
# você pode conferi-la neste exemplo: os escores cujo *softmax* dá essas probabilidades são os seus
# logaritmos, e com `eps=0` (sem suavização) a sua função deve dar o mesmo 0,336.

# %%
# NBVAL_CHECK_OUTPUT
example_labels = [0, 1, 2, 255]  # pixels (0, 0), (0, 1), (1, 0), (1, 1)
example_probabilities = [[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0.1, 0.3, 0.6], [0.5, 0.25, 0.25]]


def example_dice_terms(labels, probabilities):
    """Per class: (sum(p*g), sum(p), sum(g), Dice) over the non-void pixels, with plain Python sums."""
    kept = [(label, p) for label, p in zip(labels, probabilities) if label != 255]  # void pixels leave
    terms = []
    for c in range(3):
        intersection = sum(p[c] for label, p in kept if label == c)
        sum_p = sum(p[c] for _, p in kept)
        sum_g = sum(1 for label, _ in kept if label == c)
        terms.append((intersection, sum_p, sum_g, 2 * intersection / (sum_p + sum_g)))
    return terms


terms = example_dice_terms(example_labels, example_probabilities)
for c, (intersection, sum_p, sum_g, dice) in enumerate(terms):
    print(f"class {c}: sum(p*g) {intersection:.2f}  sum(p) {sum_p:.2f}  sum(g) {sum_g}  Dice {dice:.3f}")
mean_dice = sum(dice for *_, dice in terms) / 3
print(f"mean Dice {mean_dice:.3f} -> Dice loss {1 - mean_dice:.3f}")

void_as_background = [0 if label == 255 else label for label in example_labels]
wrong_terms = example_dice_terms(void_as_background, example_probabilities)
print(f"with the void pixel counted as background the loss would be "
      f"{1 - sum(dice for *_, dice in wrong_terms) / 3:.3f}")

# %% [markdown]
# **O exercício.** Complete `class_weights(pixel_counts)` (uma classe sem pixels recebe peso 0) e
# `dice_loss(outputs, labels)` (os pixels *void* ficam fora das somas).

# %% tags=["include:solutions/losses.py"]
"""Losses for class imbalance (course exercise): class weights from pixel counts, and the Dice loss."""

import torch
import torch.nn.functional as F

VOID_LABEL = 255  # object borders: ignored by every loss


def class_weights(pixel_counts):
    """Median-frequency balancing: weight_c = median(freq) / freq_c, with freq_c = count_c / total.

    A rare class gets a weight above 1, a common one below 1; the class of median frequency gets 1.
    A class with no pixel at all gets weight 0 (there is nothing of it to learn). Returns float32 [C].
    """
    counts = torch.as_tensor(pixel_counts, dtype=torch.float64)
    ### BEGIN SOLUTION: calcule os pesos das classes pelo balanceamento da frequência mediana e guarde-os em `weights` (float32)
    ### DICA: A frequência de uma classe é a sua contagem de pixels dividida pelo total; o peso é a mediana das frequências dividida pela frequência da classe.
    ### DICA: Uma classe sem nenhum pixel fica de fora da mediana e recebe peso 0: uma máscara booleana das classes presentes evita a divisão por zero.
    ### ESQUELETO: freq = ...
    ### ESQUELETO: present = ...  # True nas classes com algum pixel
    ### ESQUELETO: weights = ...  # zeros, do tamanho de freq
    ### ESQUELETO: weights[present] = ...
    ### ESQUELETO: # no fim, converta weights para float32
    freq = counts / counts.sum()
    present = freq > 0
    weights = torch.zeros_like(freq)
    weights[present] = freq[present].median() / freq[present]
    weights = weights.float()
    ### END SOLUTION
    return weights


def dice_loss(outputs, labels, eps=1.0):
    """Soft Dice loss: 1 - mean over classes of 2*sum(p*g) / (sum(p) + sum(g)).

    outputs [B, C, H, W] are class scores (softmax turns them into probabilities p), labels [B, H, W]
    hold class indices (g is their one-hot form). Void pixels (255) are left out of every sum. `eps` keeps
    the ratio defined for a class absent from the batch and smooths the gradient.
    """
    ### BEGIN SOLUTION: calcule a perda Dice suave, sem contar os pixels void, e guarde-a em `loss`
    ### DICA: p são as probabilidades (softmax nos canais) e g os rótulos em one-hot, com as classes no eixo 1; para cada classe, some p*g, p e g sobre o lote, a altura e a largura.
    ### DICA: Os pixels void (255) não entram em nenhuma soma: multiplique p e g por uma máscara dos pixels válidos; antes do one-hot troque 255 por uma classe qualquer, senão `F.one_hot` falha.
    ### ESQUELETO: valid = ...  # [B, 1, H, W]: True fora do void
    ### ESQUELETO: probabilities = ...
    ### ESQUELETO: targets = ...  # one-hot [B, C, H, W], zerado no void
    ### ESQUELETO: intersection = ...  # [C]
    ### ESQUELETO: sizes = ...  # [C]: soma de p mais soma de g
    ### ESQUELETO: loss = 1 - ...  # média do Dice das classes, com eps
    num_classes = outputs.shape[1]
    valid = (labels != VOID_LABEL).unsqueeze(1)  # [B, 1, H, W]
    probabilities = outputs.softmax(dim=1) * valid  # void pixels count for nothing
    targets = F.one_hot(labels.masked_fill(~valid.squeeze(1), 0), num_classes)
    targets = targets.permute(0, 3, 1, 2).to(probabilities.dtype) * valid
    intersection = (probabilities * targets).sum(dim=(0, 2, 3))
    sizes = probabilities.sum(dim=(0, 2, 3)) + targets.sum(dim=(0, 2, 3))
    loss = 1 - ((2 * intersection + eps) / (sizes + eps)).mean()
    ### END SOLUTION
    return loss


# %%
checks.check("class-weights");

# %%
checks.check("dice-loss");

# %% [markdown]
# Os pesos que o balanceamento daria ao nosso conjunto de treino:

# %%
train_counts = torch.zeros(args["n_classes"], dtype=torch.int64)
for _, batch_labels in train_loader:
    valid = batch_labels[batch_labels != 255]
    train_counts += torch.bincount(valid.reshape(-1), minlength=args["n_classes"])
for name, count, weight in zip(args["classes"], train_counts.tolist(), class_weights(train_counts).tolist()):
    print(f"{name:<12} {thousands(count):>10} pixels  weight {weight:.3f}")

# %% [markdown]
# ## Resumo
#
# * Uma FCN reaproveita as convoluções de uma CNN de classificação, troca as camadas FC por
#   convoluções e amplia os escores com interpolação bilinear até o tamanho da imagem.
# * Os cortes da AlexNet têm *stride* exato 8 (pool1), 16 (pool2) e 32 (pool5); o campo receptivo do
#   pool5 é de 195 pixels (212 na VGG16).
# * Neste curso, o *backbone* pré-treinado no ImageNet é ajustado com uma taxa de aprendizado 10× menor;
#   é uma escolha comum, não a do artigo, que ajusta todas as camadas com a mesma taxa (§4.3).
# * Classificar na resolução das *features* e ampliar os escores é muito mais barato do que ampliar as
#   *features*; se o classificador é uma única convolução $1\times1$, as duas ordens dão o mesmo
#   resultado.
# * *Skip connections* trazem detalhe espacial das camadas rasas; concatenando, a camada seguinte recebe
#   $C_{raso} + C_{profundo}$ canais.
# * Camadas treinadas do zero começam com Kaiming: $\sigma = \sqrt{2/n_{in}}$ mantém o sinal estável
#   através das ReLUs.
# * A perda é a entropia cruzada por pixel, ignorando o *void*: `[B, C, H, W] → [B·H·W, C]`.
# * Uma convolução transposta multiplica pela transposta da matriz da convolução; a saída tem
#   $(n_{in} - 1)\,s - 2p + k + \texttt{output\_padding}$ pixels.
#
# Para experimentar: mude `args` (por exemplo `course_args(skip=False)` ou `course_args(skip="16s")`) e
# treine de novo. No **notebook 03** você fará a mesma adaptação para a VGG16, e no **notebook 04**
# compararemos todas as combinações.
