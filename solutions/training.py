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
